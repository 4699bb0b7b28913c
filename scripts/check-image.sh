#!/usr/bin/env bash
# Checks the daemon image Jib wrote (image/target/driftless-image.tar, OCI): unpacks its layers into a
# root folder by digest order and runs the daemon from it in bubblewrap, exactly as a container would
# start it (entrypoint from the image config, user 10001), asking for --help.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
tarball=${1:-$root/image/target/driftless-image.tar}
[ -f "$tarball" ] || { echo "no image tar at $tarball (run: mvn -pl image -am package)" >&2; exit 1; }
work=$(mktemp -d /tmp/driftless-image.XXXXXX)
[ -n "${DRIFTLESS_KEEP_IMAGE_ROOT:-}" ] || trap 'rm -rf "$work"' EXIT
python3 - "$tarball" "$work" <<'PY'
import json, sys, tarfile, os, shutil
tarball, work = sys.argv[1], sys.argv[2]
outer = tarfile.open(tarball)
def blob(digest):
    return outer.extractfile("blobs/sha256/" + digest.split(":")[1])
index = json.load(outer.extractfile("index.json"))
manifest = json.load(blob(index["manifests"][0]["digest"]))
config = json.load(blob(manifest["config"]["digest"]))
rootfs = os.path.join(work, "rootfs")
os.makedirs(rootfs)
for layer in manifest["layers"]:
    with tarfile.open(fileobj=blob(layer["digest"]), mode="r:*") as t:
        for member in t:
            # A later layer's entry replaces what an earlier one put there, as overlayfs does (never write
            # through an earlier layer's symlink, e.g. /lib64/ld-linux-x86-64.so.2).
            path = os.path.join(rootfs, member.name.lstrip("/"))
            if os.path.lexists(path) and not (member.isdir() and os.path.isdir(path) and not os.path.islink(path)):
                if os.path.isdir(path) and not os.path.islink(path):
                    shutil.rmtree(path)
                else:
                    os.unlink(path)
            t.extract(member, rootfs, set_attrs=True, filter="tar" if hasattr(tarfile, "data_filter") else None)
cfg = config["config"]
json.dump({"entrypoint": cfg.get("Entrypoint", []) + cfg.get("Cmd", []), "env": cfg.get("Env", []),
           "user": cfg.get("User", ""), "workdir": cfg.get("WorkingDir", "/")}, open(os.path.join(work, "config.json"), "w"))
print("layers:", len(manifest["layers"]), "user:", cfg.get("User"), "entrypoint:", cfg.get("Entrypoint"))
PY
entrypoint=$(python3 -c 'import json,sys; c=json.load(open(sys.argv[1])); print(" ".join(c["entrypoint"][:-1]))' "$work/config.json")
user=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["user"])' "$work/config.json")
[ "$user" = "10001:10001" ] || { echo "image user is '$user', expected 10001:10001" >&2; exit 1; }
mkdir -p "$work/rootfs/proc" "$work/rootfs/dev"
# shellcheck disable=SC2086
out=$(cd "$work" && bwrap --ro-bind rootfs / --proc /proc --dev /dev --tmpfs /tmp --chdir /home/driftless \
      --unshare-user --uid 10001 --gid 10001 --clearenv --setenv PATH /opt/java/openjdk/bin:/usr/bin:/bin \
      $entrypoint --help 2>&1) || { echo "$out" >&2; echo "the image's daemon did not start" >&2; exit 1; }
echo "$out" | head -5
echo "image check: ok ($(du -h "$tarball" | cut -f1))"
