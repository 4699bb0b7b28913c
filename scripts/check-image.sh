#!/usr/bin/env bash
# Checks the daemon image Jib wrote (image/target/driftless-image.tar, OCI): unpacks its layers into a
# root folder by digest order and runs the daemon from it in bubblewrap, exactly as a container would
# start it (entrypoint from the image config, user 10001), asking for --help. Then, as a cluster build would,
# the image's own toolchains build a repository shaped like OpenFaaS's kubecon-tester (a python3 function and a
# classic go function with a vendored dependency and unit tests) with `driftless build`, offline
# (--unshare-net): gofmt and go test must run, the python tests too, and both images must land in the store.
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
echo "$out" | head -3

# The repository: the templates' own samples, the go one using a vendored module (dep style, no go.mod).
samples=$root/function-templates/src/main/resources/templates
repo=$work/kubecon-tester
mkdir -p "$repo/kubecon" "$repo/bcrypt/vendor/example.com/greeting"
cp "$samples/python3/sample/"* "$repo/kubecon/"
cp "$samples/go/sample/"* "$repo/bcrypt/"
cat > "$repo/bcrypt/vendor/example.com/greeting/greeting.go" <<'GO'
package greeting

// Word is what the function greets with.
func Word() string { return "Hello" }
GO
printf '# example.com/greeting v0.1.0\nexample.com/greeting\n' > "$repo/bcrypt/vendor/modules.txt"
sed -i -e 's|^\t"strings"$|\t"strings"\n\n\t"example.com/greeting"|' \
       -e 's|fmt.Sprintf("Hello, %s!|fmt.Sprintf(greeting.Word()+", %s!|' "$repo/bcrypt/handler.go"
grep -q 'greeting.Word()' "$repo/bcrypt/handler.go" || { echo "could not make the go sample use its vendored module" >&2; exit 1; }
cat > "$repo/stack.yml" <<'YAML'
version: 1.0
provider:
  name: openfaas
functions:
  kubecon:
    lang: python3
    handler: ./kubecon
  bcrypt:
    lang: go
    handler: ./bcrypt
    environment:
      content_type: application/json
YAML
git -C "$repo" init -q -b main
git -C "$repo" add -A
git -C "$repo" -c user.name=check -c user.email=check@example.com commit -q -m "kubecon-tester shaped"
mkdir -p "$work/data" "$work/home" "$work/rootfs/repo"
# shellcheck disable=SC2086
build_log=$(cd "$work" && bwrap --ro-bind rootfs / --proc /proc --dev /dev --tmpfs /tmp \
      --bind data /data --bind home /home/driftless --ro-bind "$repo" /repo --chdir /home/driftless \
      --unshare-user --unshare-net --unshare-pid --unshare-ipc --die-with-parent --uid 10001 --gid 10001 --clearenv \
      --setenv PATH /opt/java/openjdk/bin:/usr/local/bin:/usr/bin:/bin --setenv HOME /home/driftless \
      --setenv JAVA_HOME /opt/java/openjdk --setenv DRIFTLESS_DATA /data \
      $entrypoint build /repo 2>&1) \
  || { echo "$build_log" >&2; echo "the image's toolchains did not build the python3 and go functions" >&2; exit 1; }
# The whole log stays next to the image for a look afterwards (CI keeps target folders on failure).
printf '%s\n' "$build_log" > "$root/image/target/check-image-build.log"
for expected in 'kubecon: built local/local/repo/kubecon@sha256:' 'bcrypt: built local/local/repo/bcrypt@sha256:' \
                'go: gofmt -l' 'go: go test ./...' 'example.com/greeting v0.1.0' 'go: tests run 2, failed 0' \
                'python3: importing handler.py'; do
  grep -qF -- "$expected" <<< "$build_log" || { echo "$build_log" >&2; echo "the build log lacks: $expected" >&2; exit 1; }
done
for digest in $(grep -oE '^(kubecon|bcrypt): built \S+@sha256:[0-9a-f]{64}' <<< "$build_log" | sed 's/.*@sha256://'); do
  [ -f "$work/data/images/blobs/sha256/$digest" ] || { echo "image manifest $digest is not in the local image store" >&2; exit 1; }
  grep -q "sha256:$digest" "$work/data/images/index.json" || { echo "image $digest is not in the store's index.json" >&2; exit 1; }
done
grep -E '^\[(kubecon|bcrypt)\].*(tests run|gofmt|go test|unittest)|^(kubecon|bcrypt): built|^build (ok|finished)' <<< "$build_log" || true
echo "image check: ok ($(du -h "$tarball" | cut -f1) tar, $(du -sh "$work/rootfs" | cut -f1) unpacked)"
