#!/usr/bin/env bash
# Makes the daemon image's base on this machine: no public base image can be pulled here, so the
# base is a jlink'ed JDK runtime plus the host's shared libraries it links against, a non-root user
# and /tmp (a folder Jib adds as a layer: OUTPUT_DIR), over the host's language toolchains (an image tar
# with one layer that Jib takes as the base image: OUTPUT_DIR.toolchains.tar).
# Usage: make-base.sh OUTPUT_DIR
set -euo pipefail
out=$1
java_home=${JAVA_HOME:-$(dirname "$(dirname "$(readlink -f "$(command -v javac)")")")}
stamp="$out/.stamp"
# The language toolchains the templates fork (python, go, node, ruby, csharp): builds run inside the daemon's
# own image on a cluster, so the image carries them (image/README.md says why, and what it costs).
toolchains=(python3 python3-pip golang-go nodejs ruby ruby-webrick mono-mcs mono-runtime dash)
# Not copied: docs, manuals, translations, Go's tests/API lists/precompiled std, the /etc of every package.
# Nor C headers (node's 54 MB for native addons: no C compiler here), the standard library's testdata (22 MB)
# and Go's profiling viewers (pprof, trace: 20 MB), which builds and tests never run.
toolchain_excludes='^/usr/share/(doc|man|info|locale|lintian|bug|doc-base|bash-completion)/|^/usr/lib/go-[0-9.]+/pkg/linux_amd64|^/usr/share/go-[0-9.]+/(test|misc|api)/|^/usr/share/go-[0-9.]+/src/.*/testdata/|^/usr/lib/go-[0-9.]+/pkg/tool/[^/]+/(pprof|trace)$|^/usr/include/|^/etc/'
stamp_text="$java_home ${toolchains[*]} $toolchain_excludes toolchains-4"
if [ -f "$stamp" ] && [ -f "$out.toolchains.tar" ] && [ "$(cat "$stamp")" = "$stamp_text" ]; then
  exit 0
fi
rm -rf "$out"
mkdir -p "$out/opt/java" "$out/etc" "$out/tmp" "$out/home/driftless" "$out/data" "$out/proc" "$out/dev"
# jdk.compiler stays in: the builder compiles java functions with a forked javac.
"$java_home/bin/jlink" --add-modules ALL-MODULE-PATH --strip-debug --no-man-pages --no-header-files \
  --compress=2 --output "$out/opt/java/openjdk"
# The shared libraries the runtime needs, from the host, where the dynamic linker looks for them.
for lib in $(find "$out/opt/java/openjdk" -name '*.so' -o -path '*/bin/*' -type f | xargs ldd 2>/dev/null \
             | awk '/=> \//{print $3} /^\t\/lib64/{print $1}' | sort -u); do
  mkdir -p "$out$(dirname "$lib")"
  cp -L "$lib" "$out$lib"
done
mkdir -p "$out/lib64"
cp -L /lib64/ld-linux-x86-64.so.2 "$out/lib64/"
# The toolchains: the files of the installed Debian packages and of everything they depend on, copied as
# dpkg lists them, into their own root folder that becomes the image's first layer as a tar (Jib's
# extraDirectories would follow symlinks and drop file modes; a tar keeps both). Left out: packaging
# machinery, docs, binutils (cgo only: Go builds with CGO_ENABLED=0), and Go's precompiled standard
# library (stale for CGO_ENABLED=0 builds anyway, so Go rebuilds it into its cache; 239 MB saved).
tc="$out.toolchains"
rm -rf "$tc" && mkdir -p "$tc"
for pkg in "${toolchains[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' \
    || { echo "make-base.sh: Debian package $pkg is not installed (scripts/install-test-deps.sh installs it)" >&2; exit 1; }
done
# Debian's npm is its own package (nodesource's nodejs carries npm): taken along when it is installed.
closure=("${toolchains[@]}")
if dpkg-query -W -f='${Status}' npm 2>/dev/null | grep -q 'install ok installed'; then closure+=(npm); fi
skip='^(binutils.*|libbinutils|libctf.*|libgprofng0|libjansson4|dpkg|debconf|tar|ca-certificates|tzdata|openssl|libc-bin|perl-base)$'
packages=$(apt-cache depends --recurse --installed --no-recommends --no-suggests --no-conflicts --no-breaks \
             --no-replaces --no-enhances "${closure[@]}" 2>/dev/null | grep -v '^[ <]' | sort -u | grep -Ev "$skip")
for pkg in $packages; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' && dpkg -L "$pkg"
done | grep -Ev "$toolchain_excludes" \
  | sort -u | while read -r f; do case "$f" in /bin|/sbin|/lib|/lib32|/lib64|/libx32) continue;; esac
    if [ -L "$f" ] || [ -f "$f" ]; then echo "${f#/}"; fi; done > "$out/.toolchain-files"
tar -C / --no-recursion --ignore-failed-read -cf - -T "$out/.toolchain-files" | tar -C "$tc" -xf -
rm "$out/.toolchain-files"
# Config the runtimes read from /etc: Mono's dllmap, Python's and Ruby's need none.
mkdir -p "$tc/etc/mono" && cp -r /etc/mono/. "$tc/etc/mono/"
# Commands that Debian sets up through update-alternatives (not in any package's file list).
for cmd in python3 go gofmt node npm ruby mcs mono; do
  if [ ! -e "$tc/usr/bin/$cmd" ] && [ -e "/usr/bin/$cmd" ]; then
    ln -sf "$(readlink -f "/usr/bin/$cmd")" "$tc/usr/bin/$cmd"
  fi
done
mkdir -p "$tc/bin" && ln -sf /bin/dash "$tc/bin/sh"
# npm as node runs it here: npm updates itself outside dpkg (npm install -g npm), so its file list can be stale.
if [ -d /usr/lib/node_modules/npm ]; then
  rm -rf "$tc/usr/lib/node_modules/npm" && mkdir -p "$tc/usr/lib/node_modules" && cp -a /usr/lib/node_modules/npm "$tc/usr/lib/node_modules/"
fi
# npm is a "#!/usr/bin/env node" script: env alone, not all of coreutils.
cp /usr/bin/env "$tc/usr/bin/env"
# Shared libraries of the toolchains' programs not already in the closure (nodesource's node links libstdc++ …).
find "$tc/usr/bin" "$tc/usr/lib" -type f \( -perm -u+x -o -name '*.so*' \) 2>/dev/null | xargs file 2>/dev/null \
  | awk -F: '/ELF.*dynamic/{print $1}' | xargs -r ldd 2>/dev/null | awk '/=> \//{print $3}' | sort -u | while read -r lib; do
  [ -e "$tc$lib" ] || { mkdir -p "$tc$(dirname "$lib")"; cp -L "$lib" "$tc$lib"; }
done
# A Docker-format image tar with that one layer: Jib's <from> takes it as the base (tar://).
tar -C "$tc" --owner=0 --group=0 --numeric-owner --sort=name -cf "$out.toolchains-layer.tar" .
python3 - "$out.toolchains-layer.tar" "$out.toolchains.tar" <<'PY2'
import hashlib, io, json, sys, tarfile
layer, image = sys.argv[1], sys.argv[2]
h = hashlib.sha256()
with open(layer, "rb") as f:
    for chunk in iter(lambda: f.read(1 << 20), b""):
        h.update(chunk)
config = json.dumps({"architecture": "amd64", "os": "linux", "config": {},
                     "rootfs": {"type": "layers", "diff_ids": ["sha256:" + h.hexdigest()]}}).encode()
manifest = json.dumps([{"Config": "config.json", "RepoTags": ["driftless-toolchains:local"],
                        "Layers": ["layer.tar"]}]).encode()
with tarfile.open(image, "w") as t:
    for name, data in (("config.json", config), ("manifest.json", manifest)):
        info = tarfile.TarInfo(name); info.size = len(data); t.addfile(info, io.BytesIO(data))
    t.add(layer, "layer.tar")
PY2
rm -rf "$tc" "$out.toolchains-layer.tar"

cat > "$out/etc/passwd" <<PASSWD
root:x:0:0:root:/root:/sbin/nologin
driftless:x:10001:10001:driftless:/home/driftless:/sbin/nologin
PASSWD
cat > "$out/etc/group" <<GROUP
root:x:0:
driftless:x:10001:
GROUP
cp /etc/nsswitch.conf "$out/etc/" 2>/dev/null || true
mkdir -p "$out/etc/ssl/certs"
cp -L /etc/ssl/certs/ca-certificates.crt "$out/etc/ssl/certs/" 2>/dev/null || true
chmod 1777 "$out/tmp"
echo "$stamp_text" > "$stamp"
