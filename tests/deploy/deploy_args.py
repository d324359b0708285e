#!/usr/bin/python3
"""Prints the command line a shipped deploy file gives closewise, one argument per line.

    deploy_args.py systemd    deploy/systemd/closewise.service
    deploy_args.py docker     deploy/Dockerfile
    deploy_args.py kubernetes deploy/kubernetes/closewise.yaml
    deploy_args.py docker-healthcheck deploy/Dockerfile   (the HEALTHCHECK's command instead)

The binary's own path is left out: what follows it is what the tests hand to the binary under
test. Each file is read the way its program reads it (systemd's line continuations, Docker's
exec-form JSON arrays, the Deployment's container args), so a flag a program would not pass is not
printed either. Needs Debian's python3-yaml for the manifest, hence /usr/bin/python3.
"""

import json
import re
import shlex
import sys


def systemd_args(path):
    """ExecStart= of the [Service] section, continuation lines joined as systemd joins them."""
    with open(path, encoding="utf-8") as unit:
        text = re.sub(r"\\\n", " ", unit.read())
    lines = [line for line in text.splitlines() if line.startswith("ExecStart=")]
    if len(lines) != 1:
        raise SystemExit(f"{path}: expected one ExecStart=, found {len(lines)}")
    return shlex.split(lines[0][len("ExecStart="):])[1:]


def docker_instruction(text, name):
    """The JSON array of the last NAME instruction (Docker uses the last one)."""
    found = re.findall(rf"^{name}\s+(\[.*?\])\s*$", text, re.MULTILINE | re.DOTALL)
    if not found:
        raise SystemExit(f"Dockerfile: no exec-form {name} [...]")
    return json.loads(found[-1])


def docker_args(path):
    """ENTRYPOINT's arguments after the binary, then CMD: what `docker run IMAGE` executes."""
    with open(path, encoding="utf-8") as dockerfile:
        text = re.sub(r"\\\n", " ", dockerfile.read())
    return docker_instruction(text, "ENTRYPOINT")[1:] + docker_instruction(text, "CMD")


def docker_healthcheck(path):
    """HEALTHCHECK's exec-form command: what the container runs to check itself."""
    with open(path, encoding="utf-8") as dockerfile:
        text = re.sub(r"\\\n", " ", dockerfile.read())
    found = re.findall(r"^HEALTHCHECK\s.*?\bCMD\s+(\[.*?\])\s*$", text, re.MULTILINE)
    if not found:
        raise SystemExit(f"{path}: no exec-form HEALTHCHECK ... CMD [...]")
    return json.loads(found[-1])


def kubernetes_container(path):
    import yaml  # Debian's python3-yaml; imported here so the other two need nothing.

    with open(path, encoding="utf-8") as manifest:
        documents = [d for d in yaml.safe_load_all(manifest) if d]
    deployments = [d for d in documents if d.get("kind") == "Deployment"]
    if len(deployments) != 1:
        raise SystemExit(f"{path}: expected one Deployment, found {len(deployments)}")
    containers = deployments[0]["spec"]["template"]["spec"]["containers"]
    named = [c for c in containers if c.get("name") == "closewise"]
    if len(named) != 1:
        raise SystemExit(f"{path}: expected one container named closewise")
    return named[0]


def kubernetes_args(path):
    container = kubernetes_container(path)
    return list(container.get("command", [])[1:]) + list(container.get("args", []))


READERS = {
    "systemd": systemd_args,
    "docker": docker_args,
    "docker-healthcheck": docker_healthcheck,
    "kubernetes": kubernetes_args,
}

if __name__ == "__main__":
    if len(sys.argv) != 3 or sys.argv[1] not in READERS:
        raise SystemExit(f"usage: {sys.argv[0]} {'|'.join(READERS)} FILE")
    for arg in READERS[sys.argv[1]](sys.argv[2]):
        print(arg)
