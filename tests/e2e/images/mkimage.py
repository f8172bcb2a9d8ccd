#!/usr/bin/env python3
"""mkimage.py - deterministic OCI and docker-archive image fixtures for the registry tests.

Standard library only. Everything written is a pure function of the arguments (the seed),
so the same seed gives the same bytes and digests, a different seed different ones.

  mkimage.py layout DIR TAG SEED [LAYERS [SIZE]]  OCI image layout (adds to DIR); prints the manifest digest
  mkimage.py index DIR TAG SEED [LAYERS [SIZE]]   multi-arch index (linux/amd64 + linux/arm64); prints its digest
  mkimage.py archive FILE SEED [LAYERS [REPOTAG]] `docker save` tar; prints the config digest (the image id)
  mkimage.py show DIR [TAG]                       "KIND DIGEST SIZE MEDIATYPE" lines for TAG's graph
  mkimage.py break DIR KIND [TAG]                 KIND: missing-blob, bad-digest, unknown-media-type,
                                                  mismatched-media-type (see registry-lib.sh)
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
UNKNOWN_TYPE = "application/vnd.slipway.test.unknown.v1+json"
CREATED = "2023-11-14T22:13:20Z"  # the clock of lib.sh (1700000000)
MTIME = 1700000000


def sha256(data):
    return "sha256:" + hashlib.sha256(data).hexdigest()


def stream(seed, n):
    """n bytes of pseudo-random content: SHA-256 in counter mode over the seed (incompressible)."""
    out = bytearray()
    i = 0
    while len(out) < n:
        out += hashlib.sha256(("%s/%d" % (seed, i)).encode()).digest()
        i += 1
    return bytes(out[:n])


def layer_tar(seed, i, size):
    """Uncompressed tar of layer i: one directory and one file of `size` bytes, fixed metadata."""
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.USTAR_FORMAT) as tar:
        d = tarfile.TarInfo("layer%d" % i)
        d.type, d.mode, d.mtime = tarfile.DIRTYPE, 0o755, MTIME
        tar.addfile(d)
        data = stream("%s/layer%d" % (seed, i), size)
        f = tarfile.TarInfo("layer%d/data.bin" % i)
        f.size, f.mode, f.mtime = len(data), 0o644, MTIME
        tar.addfile(f, io.BytesIO(data))
        note = ("seed %s layer %d\n" % (seed, i)).encode()
        f = tarfile.TarInfo("layer%d/seed.txt" % i)
        f.size, f.mode, f.mtime = len(note), 0o644, MTIME
        tar.addfile(f, io.BytesIO(note))
    return buf.getvalue()


def gz(data):
    """gzip with no name and mtime 0, so the bytes depend only on the input."""
    buf = io.BytesIO()
    with gzip.GzipFile(filename="", mode="wb", fileobj=buf, mtime=0, compresslevel=6) as f:
        f.write(data)
    return buf.getvalue()


def dumps(obj):
    return json.dumps(obj, separators=(",", ":")).encode()


def config_json(seed, diff_ids, arch="amd64"):
    return dumps({
        "created": CREATED,
        "architecture": arch,
        "os": "linux",
        "config": {"Env": ["PATH=/usr/bin:/bin"], "Labels": {"slipway.test.seed": seed}},
        "rootfs": {"type": "layers", "diff_ids": diff_ids},
        "history": [{"created": CREATED, "created_by": "mkimage.py layer %d" % i}
                    for i in range(len(diff_ids))],
    })


def put_blob(layout, data):
    d = sha256(data)
    path = os.path.join(layout, "blobs", "sha256", d[7:])
    if not os.path.exists(path):
        with open(path + ".tmp", "wb") as f:
            f.write(data)
        os.rename(path + ".tmp", path)
    return {"digest": d, "size": len(data)}


def blob_path(layout, digest):
    algo, hexd = digest.split(":", 1)
    return os.path.join(layout, "blobs", algo, hexd)


def read_blob(layout, digest):
    with open(blob_path(layout, digest), "rb") as f:
        return f.read()


def init_layout(layout):
    os.makedirs(os.path.join(layout, "blobs", "sha256"), exist_ok=True)
    p = os.path.join(layout, "oci-layout")
    if not os.path.exists(p):
        with open(p, "wb") as f:
            f.write(dumps({"imageLayoutVersion": "1.0.0"}))


def load_index(layout):
    p = os.path.join(layout, "index.json")
    if os.path.exists(p):
        with open(p) as f:
            return json.load(f)
    return {"schemaVersion": 2, "mediaType": OCI_INDEX, "manifests": []}


def save_index(layout, idx):
    p = os.path.join(layout, "index.json")
    with open(p + ".tmp", "wb") as f:
        f.write(dumps(idx))
    os.rename(p + ".tmp", p)


def tag_in_index(layout, tag, desc):
    """Points TAG at desc in index.json, replacing any entry TAG had."""
    idx = load_index(layout)
    idx["manifests"] = [m for m in idx["manifests"]
                        if m.get("annotations", {}).get(REF_NAME) != tag]
    idx["manifests"].append(dict(desc, annotations={REF_NAME: tag}))
    save_index(layout, idx)


def write_image(layout, seed, layers, size, arch="amd64"):
    """Writes an image's blobs; returns the manifest's descriptor."""
    diff_ids, descs = [], []
    for i in range(layers):
        tar = layer_tar(seed, i, size)
        diff_ids.append(sha256(tar))
        descs.append(dict(mediaType=OCI_LAYER_GZIP, **put_blob(layout, gz(tar))))
    cfg = dict(mediaType=OCI_CONFIG, **put_blob(layout, config_json(seed, diff_ids, arch)))
    manifest = dumps({"schemaVersion": 2, "mediaType": OCI_MANIFEST,
                      "config": cfg, "layers": descs})
    return dict(mediaType=OCI_MANIFEST, **put_blob(layout, manifest))


def cmd_layout(layout, tag, seed, layers="2", size="4096"):
    init_layout(layout)
    desc = write_image(layout, seed, int(layers), int(size))
    tag_in_index(layout, tag, desc)
    print(desc["digest"])


def cmd_index(layout, tag, seed, layers="2", size="4096"):
    init_layout(layout)
    manifests = []
    for arch in ("amd64", "arm64"):
        d = write_image(layout, "%s/%s" % (seed, arch), int(layers), int(size), arch)
        manifests.append(dict(d, platform={"architecture": arch, "os": "linux"}))
    index = dumps({"schemaVersion": 2, "mediaType": OCI_INDEX, "manifests": manifests})
    desc = dict(mediaType=OCI_INDEX, **put_blob(layout, index))
    tag_in_index(layout, tag, desc)
    print(desc["digest"])


def tar_add(tar, name, data):
    info = tarfile.TarInfo(name)
    info.size, info.mode, info.mtime = len(data), 0o644, MTIME
    tar.addfile(info, io.BytesIO(data))


def cmd_archive(path, seed, layers="2", repotag="slipway-test/image:latest"):
    """The legacy `docker save` format: manifest.json, repositories, CONFIGHEX.json,
    and one directory per layer with layer.tar (uncompressed), VERSION and json."""
    tars = [layer_tar(seed, i, 4096) for i in range(int(layers))]
    diff_ids = [sha256(t) for t in tars]
    config = config_json(seed, diff_ids)
    image_id = sha256(config)
    ids, parent = [], None
    for i, t in enumerate(tars):
        ids.append(hashlib.sha256(("%s %s" % (parent or "", diff_ids[i])).encode()).hexdigest())
        parent = ids[-1]
    repo, _, tag = repotag.rpartition(":")
    tmp = path + ".tmp"
    with tarfile.open(tmp, mode="w", format=tarfile.USTAR_FORMAT) as tar:
        for i, t in enumerate(tars):
            d = tarfile.TarInfo(ids[i])
            d.type, d.mode, d.mtime = tarfile.DIRTYPE, 0o755, MTIME
            tar.addfile(d)
            v1 = {"id": ids[i], "created": CREATED, "container_config": {}, "os": "linux"}
            if i:
                v1["parent"] = ids[i - 1]
            tar_add(tar, ids[i] + "/VERSION", b"1.0")
            tar_add(tar, ids[i] + "/json", dumps(v1))
            tar_add(tar, ids[i] + "/layer.tar", t)
        tar_add(tar, image_id[7:] + ".json", config)
        tar_add(tar, "manifest.json", dumps([{
            "Config": image_id[7:] + ".json",
            "RepoTags": [repotag],
            "Layers": [i + "/layer.tar" for i in ids]}]))
        tar_add(tar, "repositories", dumps({repo: {tag: ids[-1]}}))
    os.rename(tmp, path)
    print(image_id)


def find_tag(layout, tag=None):
    """(position in index.json, descriptor) of TAG, or of the first entry when TAG is None."""
    idx = load_index(layout)
    for n, m in enumerate(idx["manifests"]):
        if tag is None or m.get("annotations", {}).get(REF_NAME) == tag:
            return idx, n, m
    sys.exit("mkimage.py: no tag '%s' in %s" % (tag, layout))


def image_manifest(layout, desc):
    """The image manifest of desc: itself, or an index's first entry."""
    m = json.loads(read_blob(layout, desc["digest"]))
    if m.get("mediaType") == OCI_INDEX or "manifests" in m:
        return m["manifests"][0], json.loads(read_blob(layout, m["manifests"][0]["digest"]))
    return desc, m


def cmd_show(layout, tag=None):
    _, _, desc = find_tag(layout, tag)
    todo = [("manifest", desc)]
    while todo:
        kind, d = todo.pop(0)
        print(kind, d["digest"], d["size"], d.get("mediaType", "-"))
        if kind != "manifest":
            continue
        m = json.loads(read_blob(layout, d["digest"]))
        if "manifests" in m:
            todo += [("manifest", x) for x in m["manifests"]]
        else:
            todo += [("config", m["config"])] + [("layer", x) for x in m["layers"]]


def cmd_break(layout, kind, tag=None):
    idx, n, desc = find_tag(layout, tag)
    mdesc, manifest = image_manifest(layout, desc)
    if kind == "missing-blob":
        os.remove(blob_path(layout, manifest["layers"][0]["digest"]))
    elif kind == "bad-digest":
        # same size, one byte changed in the middle: only the digest check can see it
        p = blob_path(layout, manifest["layers"][0]["digest"])
        with open(p, "r+b") as f:
            f.seek(os.path.getsize(p) // 2)
            b = f.read(1)
            f.seek(-1, 1)
            f.write(bytes([b[0] ^ 0xff]))
    elif kind in ("unknown-media-type", "mismatched-media-type"):
        if mdesc is not desc:
            sys.exit("mkimage.py: %s wants a plain image, not an index" % kind)
        manifest["mediaType"] = UNKNOWN_TYPE
        new = dict(desc, **put_blob(layout, dumps(manifest)))
        if kind == "unknown-media-type":
            new["mediaType"] = UNKNOWN_TYPE
        idx["manifests"][n] = new
        save_index(layout, idx)
        print(new["digest"])
    else:
        sys.exit("mkimage.py: unknown breakage '%s'" % kind)


def main(argv):
    cmds = {"layout": (cmd_layout, 3, 5), "index": (cmd_index, 3, 5),
            "archive": (cmd_archive, 2, 4), "show": (cmd_show, 1, 2), "break": (cmd_break, 2, 3)}
    if len(argv) < 2 or argv[1] not in cmds:
        sys.exit(__doc__)
    fn, lo, hi = cmds[argv[1]]
    args = argv[2:]
    if not lo <= len(args) <= hi:
        sys.exit(__doc__)
    fn(*args)


if __name__ == "__main__":
    main(sys.argv)
