#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""Makes an OCI image-layout tarball of one layer from a root filesystem directory.

    mkociimage.py [--env K=V]... ROOTFS OUT.tar NAME [CMD ARG...]

NAME (e.g. localhost/wardtest/busybox:1) is recorded as the image's reference
(org.opencontainers.image.ref.name and io.containerd.image.name), so that
`ctr image import OUT.tar` creates the image under that name. The layer is the
uncompressed tar of ROOTFS (numeric owners), for linux on this machine's architecture;
CMD ARG... is the image's default command (config Cmd), PATH its environment unless --env.
For tests, where no registry is reachable.
"""
import argparse
import hashlib
import io
import json
import os
import platform
import tarfile

ARCH = {"x86_64": "amd64", "aarch64": "arm64", "armv7l": "arm", "ppc64le": "ppc64le",
        "s390x": "s390x", "riscv64": "riscv64"}


def blob(out, data, media_type):
    """Adds data under blobs/sha256/ and returns its OCI descriptor."""
    digest = hashlib.sha256(data).hexdigest()
    info = tarfile.TarInfo("blobs/sha256/" + digest)
    info.size = len(data)
    info.mode = 0o644
    out.addfile(info, io.BytesIO(data))
    return {"mediaType": media_type, "digest": "sha256:" + digest, "size": len(data)}


def add_file(out, name, data):
    info = tarfile.TarInfo(name)
    info.size = len(data)
    info.mode = 0o644
    out.addfile(info, io.BytesIO(data))


def layer_tar(rootfs):
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.PAX_FORMAT) as t:
        for top, dirs, files in os.walk(rootfs):
            dirs.sort()
            for name in sorted(dirs) + sorted(files):
                path = os.path.join(top, name)
                info = t.gettarinfo(path, os.path.relpath(path, rootfs))
                info.uname = info.gname = ""
                if info.isreg():
                    with open(path, "rb") as f:
                        t.addfile(info, f)
                else:
                    t.addfile(info)
    return buf.getvalue()


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("rootfs")
    ap.add_argument("out")
    ap.add_argument("name")
    ap.add_argument("--env", action="append")
    ap.add_argument("cmd", nargs=argparse.REMAINDER)
    args = ap.parse_args()
    env = args.env or ["PATH=/bin:/sbin:/usr/bin:/usr/sbin"]

    layer = layer_tar(args.rootfs)
    diff_id = "sha256:" + hashlib.sha256(layer).hexdigest()
    config = {
        "architecture": ARCH.get(platform.machine(), platform.machine()),
        "os": "linux",
        "config": {"Env": env, "Cmd": args.cmd or None, "WorkingDir": "/"},
        "rootfs": {"type": "layers", "diff_ids": [diff_id]},
    }
    with tarfile.open(args.out, "w") as out:
        add_file(out, "oci-layout", json.dumps({"imageLayoutVersion": "1.0.0"}).encode())
        layer_desc = blob(out, layer, "application/vnd.oci.image.layer.v1.tar")
        config_desc = blob(out, json.dumps(config).encode(),
                           "application/vnd.oci.image.config.v1+json")
        manifest = {"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
                    "config": config_desc, "layers": [layer_desc]}
        manifest_desc = blob(out, json.dumps(manifest).encode(), manifest["mediaType"])
        manifest_desc["annotations"] = {"io.containerd.image.name": args.name,
                                        "org.opencontainers.image.ref.name": args.name}
        manifest_desc["platform"] = {"architecture": config["architecture"], "os": "linux"}
        index = {"schemaVersion": 2, "mediaType": "application/vnd.oci.image.index.v1+json",
                 "manifests": [manifest_desc]}
        add_file(out, "index.json", json.dumps(index).encode())


if __name__ == "__main__":
    main()
