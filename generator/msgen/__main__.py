from msgen.cli import main

main()
