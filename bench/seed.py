#!/usr/bin/env python3
"""Pushes one single-layer OCI image of incompressible random bytes into a registry, with the plain
registry API (no client tools): POST /v2/<name>/blobs/uploads/, PATCH the bytes (chunked, hashed while
sent), PUT ?digest=; then the config blob the same way and the manifest by PUT /v2/<name>/manifests/<tag>.

The layer is a real tar (one file of random bytes, uncompressed: application/vnd.oci.image.layer.v1.tar)
so that podman can unpack it; the config's rootfs.diff_ids name it, as podman checks.

usage: seed.py REGISTRY_URL NAME TAG PAYLOAD_BYTES
prints one line: <layer digest> <layer size> <config digest> <manifest digest> <manifest size>
"""
import hashlib
import http.client
import json
import platform
import subprocess
import sys
import tarfile
import urllib.parse

CHUNK = 1 << 20


def connect(base):
    u = urllib.parse.urlsplit(base)
    return http.client.HTTPConnection(u.hostname, u.port, timeout=600)


def check(resp, *ok):
    body = resp.read()
    if resp.status not in ok:
        sys.exit(f"seed: {resp.status} {resp.reason}: {body[:300]!r}")
    return body


def upload(base, name, chunks):
    """Uploads the byte chunks as one blob; returns (digest, size)."""
    conn = connect(base)
    conn.request("POST", f"/v2/{name}/blobs/uploads/", headers={"Content-Length": "0"})
    resp = conn.getresponse()
    check(resp, 202)
    location = resp.getheader("Location")
    sha, size = hashlib.sha256(), 0

    def hashed():
        nonlocal size
        for c in chunks:
            sha.update(c)
            size += len(c)
            yield c

    path = urllib.parse.urlsplit(location)
    target = path.path + ("?" + path.query if path.query else "")
    conn.request("PATCH", target, body=hashed(), encode_chunked=True,
                 headers={"Content-Type": "application/octet-stream", "Transfer-Encoding": "chunked"})
    resp = conn.getresponse()
    check(resp, 202)
    location = urllib.parse.urlsplit(resp.getheader("Location"))
    digest = "sha256:" + sha.hexdigest()
    query = (location.query + "&" if location.query else "") + "digest=" + urllib.parse.quote(digest)
    conn.request("PUT", location.path + "?" + query, headers={"Content-Length": "0"})
    check(conn.getresponse(), 201)
    conn.close()
    return digest, size


def random_tar(payload):
    """A tar archive with one regular file of `payload` random bytes (from openssl rand: fast)."""
    info = tarfile.TarInfo("payload.bin")
    info.size, info.mode, info.mtime = payload, 0o644, 0
    yield info.tobuf(format=tarfile.USTAR_FORMAT)
    rand = subprocess.Popen(["openssl", "rand", str(payload)], stdout=subprocess.PIPE)
    left = payload
    while left:
        c = rand.stdout.read(min(CHUNK, left))
        if not c:
            sys.exit("seed: openssl rand ended early")
        left -= len(c)
        yield c
    if rand.wait() != 0:
        sys.exit("seed: openssl rand failed")
    yield b"\0" * ((-payload) % 512) + b"\0" * 1024   # pad the file, then the end-of-archive marker


def main():
    base, name, tag, payload = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
    layer_digest, layer_size = upload(base, name, random_tar(payload))
    arch = {"x86_64": "amd64", "aarch64": "arm64"}.get(platform.machine(), platform.machine())
    config = json.dumps({
        "architecture": arch, "os": "linux",
        "config": {"Cmd": ["/payload.bin"]},
        "rootfs": {"type": "layers", "diff_ids": [layer_digest]},
        "history": [{"created_by": "binaryrepo bench/seed.py"}],
    }, separators=(",", ":")).encode()
    config_digest, config_size = upload(base, name, [config])
    manifest = json.dumps({
        "schemaVersion": 2,
        "mediaType": "application/vnd.oci.image.manifest.v1+json",
        "config": {"mediaType": "application/vnd.oci.image.config.v1+json",
                   "digest": config_digest, "size": config_size},
        "layers": [{"mediaType": "application/vnd.oci.image.layer.v1.tar",
                    "digest": layer_digest, "size": layer_size}],
    }, separators=(",", ":")).encode()
    conn = connect(base)
    conn.request("PUT", f"/v2/{name}/manifests/{tag}", body=manifest,
                 headers={"Content-Type": "application/vnd.oci.image.manifest.v1+json"})
    check(conn.getresponse(), 201)
    print(layer_digest, layer_size, config_digest,
          "sha256:" + hashlib.sha256(manifest).hexdigest(), len(manifest))


if __name__ == "__main__":
    main()
