"""The generated README's Deployment recipes hold: the Kubernetes manifests validate against the
Kubernetes schemas (offline, kubernetes-validate), and the commands parse with the serve command."""

from __future__ import annotations

import json
import re
from typing import Any

import kubernetes_validate
import pytest
import yaml
from support import ROOT

README = ROOT / "generated" / "README.md"


def blocks(language: str) -> list[str]:
    return re.findall(rf"```{language}\n(.*?)```", README.read_text(), flags=re.DOTALL)


def manifests() -> list[dict[str, Any]]:
    (text,) = blocks("yaml")
    return [document for document in yaml.safe_load_all(text) if document]


def drain_timeout(command: list[str]) -> float:
    """The serve command's --drain-timeout, parsed by the serve command itself."""
    from twilio_media_streams import command as serve_command  # noqa: PLC0415 (the generated package)

    assert command[:3] == ["python", "-m", "twilio_media_streams.serve"]
    timeout: float = serve_command.parser().parse_args(command[3:]).drain_timeout
    return timeout


@pytest.mark.parametrize("index", [0, 1])
def test_the_manifests_are_valid_kubernetes(index: int) -> None:
    manifest = manifests()[index]
    version = kubernetes_validate.latest_version()
    kubernetes_validate.validate(manifest, version, strict=True)


def test_the_deployment_drains_within_its_grace_period_behind_a_readiness_probe() -> None:
    deployment = next(m for m in manifests() if m["kind"] == "Deployment")
    pod = deployment["spec"]["template"]["spec"]
    (container,) = pod["containers"]
    assert container["readinessProbe"]["httpGet"]["path"] == "/healthz"
    assert "livenessProbe" not in container  # /healthz answers 503 on purpose while draining
    assert pod["terminationGracePeriodSeconds"] > drain_timeout(container["command"])
    assert deployment["spec"]["strategy"]["rollingUpdate"]["maxUnavailable"] == 0


def test_the_container_runs_the_command_the_deployment_runs() -> None:
    (dockerfile,) = blocks("dockerfile")
    (cmd,) = (line for line in dockerfile.splitlines() if line.startswith("CMD "))
    command = json.loads(cmd.removeprefix("CMD "))
    deployment = next(m for m in manifests() if m["kind"] == "Deployment")
    assert command == deployment["spec"]["template"]["spec"]["containers"][0]["command"]
    assert drain_timeout(command) == 300


def test_an_invalid_manifest_is_caught() -> None:
    deployment = next(m for m in manifests() if m["kind"] == "Deployment")
    broken = json.loads(json.dumps(deployment))
    broken["spec"]["template"]["spec"]["terminationGracePeriodSeconds"] = "soon"
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(broken, kubernetes_validate.latest_version(), strict=True)
