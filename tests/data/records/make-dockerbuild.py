#!/usr/bin/env python3
"""Writes github-builder-test.dockerbuild: a `.dockerbuild` archive laid out the way
`docker buildx history export` writes one (buildx localstate/bundle: a gzip-compressed tar of
an OCI layout; an image index of one manifest per build; each manifest's config the history
record, its layers the trace, the status log, the result's attestations and descriptors).
No real archive could be fetched here, so this one is made by following that layout: the
provenance attestation is BuildKit's own (provenance-github-builder-test.json), the history
records and the status logs (protobuf StatusResponse messages, each after a 4-byte
little-endian length) are written here for the Dockerfile that provenance carries, with the
vertex digests its digestMapping names.

Run from this directory: python3 make-dockerbuild.py
"""
import gzip
import hashlib
import io
import json
import tarfile

T0 = 1761144822  # 2025-10-22T14:53:42Z, the provenance's startedOn


def varint(n):
    out = bytearray()
    while True:
        b = n & 0x7F
        n >>= 7
        if n:
            out.append(b | 0x80)
        else:
            out.append(b)
            return bytes(out)


def field(number, value):
    if isinstance(value, bool):
        return varint(number << 3) + varint(int(value))
    if isinstance(value, int):
        return varint(number << 3) + varint(value)
    if isinstance(value, str):
        value = value.encode()
    return varint(number << 3 | 2) + varint(len(value)) + value


def ts(seconds, millis=0):
    return field(1, T0 + seconds) + (field(2, millis * 1000000) if millis else b"")


def vertex(digest, name, started=None, completed=None, cached=False, error=None):
    m = field(1, digest) + field(3, name)
    if cached:
        m += field(4, True)
    if started is not None:
        m += field(5, ts(*started))
    if completed is not None:
        m += field(6, ts(*completed))
    if error:
        m += field(7, error)
    return m


def log(digest, at, text):
    return field(1, digest) + field(2, ts(*at)) + field(3, 1) + field(4, text.encode())


def status(vertexes=(), logs=()):
    m = b"".join(field(1, v) for v in vertexes) + b"".join(field(3, l) for l in logs)
    return len(m).to_bytes(4, "little") + m


D = {
    "internal": "sha256:" + hashlib.sha256(b"[internal] load build definition from Dockerfile").hexdigest(),
    "step0": "sha256:2030d53ec35fa99af0f54fca7548a9665ec96f2514ba3cbc1b19c9f5c7cec173",
    "step1": "sha256:d4b5a8c2437dc07cb5a1884896309711c899ee3557268d10b66818dd93f13784",
    "step2": "sha256:1f4a4008f77e0fd66e5e405280ee9b3f1968beac6a3f28c110b31d15b8cd472a",
    "step3": "sha256:dc0d490768523aa0ed6c1a7c68c5884e1a18e9b7a8c36a0a983edbe17a9bb89e",
    "step4": "sha256:717558c6da2ccb95acf2519318ee6f40d7ffbb1f63b0a9d211ffbc1a1d0e345f",
    "step6": "sha256:6ebefcdf46d57291371b70b4c09dbd29559df2b73ef100296cffb93ea6b083bb",
    "step7": "sha256:6a2df8f51e15d0173d4785a6ef59a3c267ab89e42ebb4684a384c03a7ad05147",
}
N = {
    "internal": "[internal] load build definition from Dockerfile",
    "step1": "[xx 1/1] FROM docker.io/tonistiigi/xx:1.7.0@sha256:010d4b66aed389848b0694f91c7aaee9df59a6f20be7f5d12e53663a37bd14e2",
    "step0": "[base 1/4] FROM docker.io/library/golang:1.25-alpine@sha256:aee43c3ccbf24fdffb7295693b6e33b21e01baec1b2a55acc351fde345e9ec34",
    "step2": "[base 2/4] COPY --from=xx / /",
    "step3": "[base 3/4] RUN apk add --no-cache file git",
    "step4": "[base 4/4] WORKDIR /src",
    "step6": "[build 2/2] RUN --mount=type=bind,target=. --mount=target=/root/.cache,type=cache xx-go build -trimpath -o /out/myapp .   && xx-verify --static /out/myapp",
    "step7": "[stage-3 1/1] COPY --from=build /out /",
}


def v(step, **kw):
    return vertex(D[step], N[step], **kw)


# Every vertex is first announced without times, then sent again as it starts and ends.
ok_log = b"".join([
    status([v("internal")]),
    status([v("internal", started=(0, 10))]),
    status([v("internal", started=(0, 10), completed=(0, 60))]),
    status([v("step1"), v("step0")]),
    status([v("step1", started=(1, 0), completed=(1, 5), cached=True),
            v("step0", started=(1, 0), completed=(1, 8), cached=True)]),
    status([v("step2", started=(1, 10))]),
    status([v("step2", started=(1, 10), completed=(2, 500))]),
    status([v("step3", started=(2, 510))]),
    status(logs=[log(D["step3"], (3, 0), "fetch https://dl-cdn.alpinelinux.org/alpine/v3.22/main/x86_64/APKINDEX.tar.gz\n(1/5) Instal")]),
    status(logs=[log(D["step3"], (4, 0), "ling file (5.46-r2)\nOK: 17 MiB in 21 packages\n")]),
    status([v("step3", started=(2, 510), completed=(5, 200))]),
    status([v("step4", started=(5, 210), completed=(5, 230))]),
    status([v("step6", started=(5, 240))]),
    status(logs=[log(D["step6"], (20, 0), "#0 building for linux/arm64\n")]),
    status([v("step6", started=(5, 240), completed=(29, 900))]),
    status([v("step7", started=(29, 910), completed=(30, 100))]),
])

ERROR = ('process "/bin/sh -c xx-go build -trimpath -o /out/myapp .   && xx-verify --static /out/myapp" '
         "did not complete successfully: exit code: 1")
failed_log = b"".join([
    status([v("internal", started=(100, 0), completed=(100, 50))]),
    status([v("step1", started=(101, 0), completed=(101, 1), cached=True),
            v("step0", started=(101, 0), completed=(101, 1), cached=True)]),
    status([v("step2", started=(101, 2), completed=(101, 3), cached=True)]),
    status([v("step3", started=(101, 4), completed=(101, 5), cached=True)]),
    status([v("step4", started=(101, 6), completed=(101, 7), cached=True)]),
    status([v("step6", started=(101, 10))]),
    status(logs=[log(D["step6"], (104, 0), "./main.go:6:6: undefined: fmt.Printn\n")]),
    status([v("step6", started=(101, 10), completed=(104, 300), error=ERROR)]),
])

blobs = {}


def blob(data, media_type, annotations=None):
    digest = "sha256:" + hashlib.sha256(data).hexdigest()
    blobs[digest] = data
    d = {"mediaType": media_type, "digest": digest, "size": len(data)}
    if annotations:
        d["annotations"] = annotations
    return d


def js(obj):
    return json.dumps(obj, indent=2).encode()


with open("provenance-github-builder-test.json", "rb") as f:
    provenance = f.read()

result_manifest = blob(js({"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json"}),
                       "application/json",
                       {"vnd.export-build.descriptor.mediatype": "application/vnd.oci.image.manifest.v1+json"})


def record(ref, created, completed, log_blob, error=None, results=True):
    logs = blob(log_blob, "application/vnd.buildkit.status.v0")
    trace = blob(b'{"resourceSpans":[]}\n', "application/vnd.buildkit.otlp.json.v0")
    rec = {
        "Ref": ref,
        "Frontend": "gateway.v0",
        "FrontendAttrs": {"filename": "Dockerfile", "build-arg:GO_VERSION": "1.25",
                          "cmdline": "docker/dockerfile:1", "source": "docker/dockerfile:1"},
        "CreatedAt": {"seconds": T0 + created},
        "CompletedAt": {"seconds": T0 + completed, "nanos": 500000000},
        "logs": logs,
        "trace": trace,
        "numCachedSteps": 2 if results else 5,
        "numTotalSteps": 8 if results else 7,
        "numCompletedSteps": 8 if results else 6,
        "DefaultPlatform": "linux/amd64",
    }
    if error:
        rec["error"] = {"code": 2, "message": error}
    layers = [trace]
    config = blob(js(rec), "application/vnd.buildkit.historyrecord.v0")
    layers.append(logs)
    if results:
        layers.append(blob(provenance, "application/vnd.in-toto+json",
                           {"in-toto.io/predicate-type": "https://slsa.dev/provenance/v1"}))
        layers.append(result_manifest)
    manifest = {"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
                "config": config, "layers": layers}
    d = blob(js(manifest), "application/vnd.oci.image.manifest.v1+json")
    d["annotations"] = {"vnd.buildkit.history.reference": ref}
    return d


first = record("3lb9gejzb3ondafiy8szq6pza", 0, 30, ok_log)
second = record("q2m8c0kd3r1w6x0a9b7n5s4te", 100, 104, failed_log, error=ERROR, results=False)
top = blob(js({"schemaVersion": 2, "mediaType": "application/vnd.oci.image.index.v1+json",
               "manifests": [first, second]}), "application/vnd.oci.image.index.v1+json")
index = js({"schemaVersion": 2, "mediaType": "application/vnd.oci.image.index.v1+json", "manifests": [top]})

raw = io.BytesIO()
with tarfile.open(fileobj=raw, mode="w", format=tarfile.PAX_FORMAT) as tar:
    def add(name, data):
        info = tarfile.TarInfo(name)
        info.size = len(data)
        info.mtime = 0
        tar.addfile(info, io.BytesIO(data))
    for digest in sorted(blobs):
        add("blobs/sha256/" + digest[7:], blobs[digest])
    add("oci-layout", b'{"imageLayoutVersion":"1.0.0"}')
    add("index.json", index)
with open("github-builder-test.dockerbuild", "wb") as f:
    f.write(gzip.compress(raw.getvalue(), mtime=0))
