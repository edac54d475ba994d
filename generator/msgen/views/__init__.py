"""Stage 3, views: what each template family prints, computed from the model in Python (frames,
session, client, README, hypothesis strategies), so templates only loop and print."""
