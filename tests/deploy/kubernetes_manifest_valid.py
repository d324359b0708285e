#!/usr/bin/python3
"""One behaviour: deploy/kubernetes/closewise.yaml holds together as Kubernetes would read it.

No cluster and no schema validator is available from Debian, so this reads the manifest with
Debian's python3-yaml and checks the fields whose mistakes Kubernetes would not report, or would
report only at run time on a real cluster:

- the Deployment's selector matches its pod labels, and the Service selects those pods and
  targets a port the container names;
- the image is pulled only if missing (IfNotPresent): with the tag `latest` the default is
  Always, which fails for an image built locally;
- the probes use ports the container names: /readyz for readiness, /healthz for liveness;
- --admin-token-file names a file that a Secret volume puts there (mount path + item path), and
  the `kubectl create secret` line in the file's header creates that Secret with that key;
- terminationGracePeriodSeconds is above --drain-delay + --drain-timeout, and the delay is below
  the timeout (closewise refuses otherwise).

Usage: kubernetes_manifest_valid.py deploy/kubernetes/closewise.yaml
"""

import posixpath
import re
import sys

import yaml

UNITS_MS = {"ms": 1, "s": 1000, "m": 60_000, "h": 3_600_000}


def fail(message):
    print(f"FAIL: {message}", file=sys.stderr)
    sys.exit(1)


def duration_ms(text):
    """closewise's duration syntax: a whole number and one unit, or 0 alone."""
    if text == "0":
        return 0
    match = re.fullmatch(r"(\d+)(ms|s|m|h)", text)
    if not match:
        fail(f"not a closewise duration: {text!r}")
    return int(match.group(1)) * UNITS_MS[match.group(2)]


def flags(args):
    """--name=value and --name value, as closewise reads them."""
    values = {}
    i = 0
    while i < len(args):
        arg = args[i]
        if arg.startswith("--") and "=" in arg:
            name, value = arg[2:].split("=", 1)
        elif arg.startswith("--") and i + 1 < len(args) and not args[i + 1].startswith("--"):
            name, value = arg[2:], args[i + 1]
            i += 1
        else:
            name, value = arg.lstrip("-"), ""
        values[name] = value
        i += 1
    return values


def one(documents, kind):
    found = [d for d in documents if d.get("kind") == kind]
    if len(found) != 1:
        fail(f"expected one {kind}, found {len(found)}")
    return found[0]


def check_selectors(deployment, service, container):
    labels = deployment["spec"]["template"]["metadata"]["labels"]
    selector = deployment["spec"]["selector"]["matchLabels"]
    if any(labels.get(k) != v for k, v in selector.items()):
        fail(f"the Deployment's selector {selector} does not match its pod labels {labels}")
    if any(labels.get(k) != v for k, v in service["spec"]["selector"].items()):
        fail(f"the Service's selector does not select the pods ({labels})")
    port_names = {p.get("name") for p in container.get("ports", [])}
    for port in service["spec"]["ports"]:
        target = port.get("targetPort")
        if isinstance(target, str) and target not in port_names:
            fail(f"the Service targets port {target!r}, which the container does not name")
    return port_names


def check_probes(container, port_names):
    for probe, path in (("readinessProbe", "/readyz"), ("livenessProbe", "/healthz")):
        get = container.get(probe, {}).get("httpGet", {})
        if get.get("path") != path:
            fail(f"{probe} must GET {path}, not {get.get('path')}")
        if isinstance(get.get("port"), str) and get["port"] not in port_names:
            fail(f"{probe} uses port {get['port']!r}, which the container does not name")


def check_token(text, pod, container, args):
    token_file = args.get("admin-token-file")
    if not token_file:
        fail("the container has no --admin-token-file, yet its admin port listens beyond loopback")
    volumes = {v["name"]: v for v in pod.get("volumes", [])}
    for mount in container.get("volumeMounts", []):
        if not token_file.startswith(mount["mountPath"].rstrip("/") + "/"):
            continue
        secret = volumes.get(mount["name"], {}).get("secret")
        if secret is None:
            fail(f"{mount['mountPath']} is not a Secret volume")
        relative = posixpath.relpath(token_file, mount["mountPath"])
        keys = {i["path"]: i["key"] for i in secret.get("items", [])} or {relative: relative}
        if relative not in keys:
            fail(f"the Secret volume puts no file at {token_file}")
        command = re.search(r"kubectl create secret generic (\S+) .*?--from-literal=([\w.-]+)=",
                            text, re.DOTALL)
        if not command:
            fail("the file does not show the kubectl command that creates the token Secret")
        if (command.group(1), command.group(2)) != (secret["secretName"], keys[relative]):
            fail(f"the kubectl command creates {command.group(1)} with key {command.group(2)},"
                 f" but the pod mounts {secret['secretName']} key {keys[relative]}")
        return
    fail(f"no volume is mounted where --admin-token-file={token_file} points")


def check_grace(pod, args):
    grace_ms = pod.get("terminationGracePeriodSeconds", 30) * 1000
    delay = duration_ms(args.get("drain-delay", "0"))
    timeout = duration_ms(args.get("drain-timeout", "30s"))
    if delay >= timeout:
        fail(f"--drain-delay ({delay} ms) must be below --drain-timeout ({timeout} ms)")
    if grace_ms <= delay + timeout:
        fail(f"terminationGracePeriodSeconds ({grace_ms // 1000} s) must exceed --drain-delay +"
             f" --drain-timeout ({(delay + timeout) / 1000:g} s), or SIGKILL cuts the drain short")
    return grace_ms, delay, timeout


def main(path):
    with open(path, encoding="utf-8") as manifest:
        text = manifest.read()
    documents = [d for d in yaml.safe_load_all(text) if d]
    deployment = one(documents, "Deployment")
    service = one(documents, "Service")
    pod = deployment["spec"]["template"]["spec"]
    containers = [c for c in pod["containers"] if c.get("name") == "closewise"]
    if len(containers) != 1:
        fail("expected one container named closewise")
    container = containers[0]
    if container.get("imagePullPolicy") != "IfNotPresent":
        fail(f"imagePullPolicy is {container.get('imagePullPolicy')!r}, not IfNotPresent: a"
             " locally built image would be pulled from a registry and not found")
    port_names = check_selectors(deployment, service, container)
    check_probes(container, port_names)
    args = flags(container.get("args", []))
    check_token(text, pod, container, args)
    grace_ms, delay, timeout = check_grace(pod, args)
    print(f"PASS: {path}: selectors, ports, probes, image pull policy, token Secret and mount;"
          f" grace {grace_ms // 1000} s > drain delay {delay / 1000:g} s + timeout"
          f" {timeout / 1000:g} s")


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(f"usage: {sys.argv[0]} closewise.yaml")
    main(sys.argv[1])
