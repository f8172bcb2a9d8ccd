#!/usr/bin/env python3
"""images-fixture.py - the image benchmark's images: one OCI image layout per image.

  python3 bench/images-fixture.py DIR [IMAGE...]      (default images: a b c d e)

Writes DIR/IMAGE/ (oci-layout, index.json, blobs/sha256/) for each image, tagged
"bench" in its index.json; DIR/digests, one line per image, "IMAGE MANIFEST-DIGEST
LAYERS BYTES" (BYTES: the blobs' size, config and compressed layers, as sent to a
registry), also printed; and DIR/blobs, one line per blob, "IMAGE KIND DIGEST
SIZE" (KIND: manifest, config, layer).

Each image has five gzip tar layers holding 20, 10, 6, 3 and 1 MB (10^6 bytes) of
incompressible content (SHAKE-256 of the image's name and the layer's number), so
five images are ~200 MB to send, and gzip (level 1) cannot shrink them. Nothing
is shared between images. Standard library only; every byte depends only on the
image's name, so the same call always writes the same digests.
"""

import gzip
import hashlib
import io
import json
import os
import sys
import tarfile

OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json"
OCI_INDEX = "application/vnd.oci.image.index.v1+json"
OCI_CONFIG = "application/vnd.oci.image.config.v1+json"
OCI_LAYER_GZIP = "application/vnd.oci.image.layer.v1.tar+gzip"
REF_NAME = "org.opencontainers.image.ref.name"
TAG = "bench"
LAYER_BYTES = [20_000_000, 10_000_000, 6_000_000, 3_000_000, 1_000_000]
MTIME = 1700000000
CREATED = "2023-11-14T22:13:20Z"


def sha256(data):
    return "sha256:" + hashlib.sha256(data).hexdigest()


def dumps(obj):
    return json.dumps(obj, separators=(",", ":")).encode()


def layer_tar(image, i, size):
    """An uncompressed tar: a directory, SIZE bytes of SHAKE-256 output, a note."""
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.USTAR_FORMAT) as tar:
        d = tarfile.TarInfo("layer%d" % i)
        d.type, d.mode, d.mtime = tarfile.DIRTYPE, 0o755, MTIME
        tar.addfile(d)
        data = hashlib.shake_256(("slipway-bench/%s/layer%d" % (image, i)).encode()).digest(size)
        f = tarfile.TarInfo("layer%d/data.bin" % i)
        f.size, f.mode, f.mtime = size, 0o644, MTIME
        tar.addfile(f, io.BytesIO(data))
        note = ("image %s layer %d\n" % (image, i)).encode()
        f = tarfile.TarInfo("layer%d/note.txt" % i)
        f.size, f.mode, f.mtime = len(note), 0o644, MTIME
        tar.addfile(f, io.BytesIO(note))
    return buf.getvalue()


def gz(data):
    """gzip, level 1, no name, mtime 0: the bytes depend only on the input."""
    buf = io.BytesIO()
    with gzip.GzipFile(filename="", mode="wb", fileobj=buf, mtime=0, compresslevel=1) as f:
        f.write(data)
    return buf.getvalue()


def put_blob(layout, data):
    d = sha256(data)
    path = os.path.join(layout, "blobs", "sha256", d[7:])
    with open(path + ".tmp", "wb") as f:
        f.write(data)
    os.rename(path + ".tmp", path)
    return {"digest": d, "size": len(data)}


def write_image(layout, image):
    os.makedirs(os.path.join(layout, "blobs", "sha256"), exist_ok=True)
    with open(os.path.join(layout, "oci-layout"), "wb") as f:
        f.write(dumps({"imageLayoutVersion": "1.0.0"}))
    diff_ids, layers, total, blobs = [], [], 0, []
    for i, size in enumerate(LAYER_BYTES):
        tar = layer_tar(image, i, size)
        diff_ids.append(sha256(tar))
        blob = gz(tar)
        total += len(blob)
        layers.append(dict(mediaType=OCI_LAYER_GZIP, **put_blob(layout, blob)))
        blobs.append(("layer", layers[-1]))
    config = dumps({
        "created": CREATED, "architecture": "amd64", "os": "linux",
        "config": {"Env": ["PATH=/usr/bin:/bin"], "Labels": {"slipway.bench.image": image}},
        "rootfs": {"type": "layers", "diff_ids": diff_ids},
        "history": [{"created": CREATED, "created_by": "images-fixture.py layer %d" % i}
                    for i in range(len(diff_ids))],
    })
    cfg = dict(mediaType=OCI_CONFIG, **put_blob(layout, config))
    manifest = dumps({"schemaVersion": 2, "mediaType": OCI_MANIFEST,
                      "config": cfg, "layers": layers})
    desc = dict(mediaType=OCI_MANIFEST, **put_blob(layout, manifest))
    blobs = [("manifest", desc), ("config", cfg)] + blobs
    index = {"schemaVersion": 2, "mediaType": OCI_INDEX,
             "manifests": [dict(desc, annotations={REF_NAME: TAG})]}
    with open(os.path.join(layout, "index.json"), "wb") as f:
        f.write(dumps(index))
    # a level-1 gzip of random bytes is a little larger than its input: if it
    # ever came out smaller, the content would not be what this benchmark says
    if total < sum(LAYER_BYTES):
        sys.exit("images-fixture.py: %s: the layers compressed (%d < %d bytes)"
                 % (image, total, sum(LAYER_BYTES)))
    return desc["digest"], len(layers), total + cfg["size"], blobs


def main(argv):
    if len(argv) < 2 or argv[1].startswith("-"):
        sys.exit(__doc__)
    out = argv[1]
    digests, blobs = [], []
    for image in argv[2:] or ["a", "b", "c", "d", "e"]:
        digest, n, total, bl = write_image(os.path.join(out, image), image)
        digests.append("%s %s %d %d\n" % (image, digest, n, total))
        blobs += ["%s %s %s %d\n" % (image, kind, d["digest"], d["size"]) for kind, d in bl]
        sys.stdout.write(digests[-1])
    with open(os.path.join(out, "digests"), "w") as f:
        f.writelines(digests)
    with open(os.path.join(out, "blobs"), "w") as f:
        f.writelines(blobs)


if __name__ == "__main__":
    main(sys.argv)
