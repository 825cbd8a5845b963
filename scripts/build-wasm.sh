#!/usr/bin/env bash
# Build the seven Mesh Security contracts to CosmWasm modules:
#   artifacts/<crate_with_underscores>.wasm and artifacts/checksums.txt (sha256).
#
# Usage: scripts/build-wasm.sh [--out DIR]
#
# Two toolchains can do it:
#   1. rustup's, when `rustup target list --installed` has wasm32-unknown-unknown
#      (`rustup target add wasm32-unknown-unknown` on a laptop);
#   2. otherwise Debian's packages rustc-web, cargo-web, rust-web-src and lld (bookworm ships
#      Rust 1.96 there): Debian's own cargo and rustc rebuild the standard library for wasm32
#      (-Zbuild-std, allowed by RUSTC_BOOTSTRAP=1) and link with LLVM's wasm-ld. Run as root
#      on Debian, the script installs those packages itself (MESH_WASM_INSTALL=0: never;
#      MESH_WASM_INSTALL=1: always try).
# Both build into target/wasm (never the host's target dirs: the toolchains must not share
# artefacts) with a size-and-speed release profile, and strip the modules.
set -euo pipefail
cd "$(dirname "$0")/.."

out=artifacts
while [ $# -gt 0 ]; do
    case "$1" in
        --out) out="$2"; shift 2 ;;
        -h|--help) sed -n '2,16p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) echo "build-wasm: unknown argument: $1 (see --help)" >&2; exit 2 ;;
    esac
done

crates=(mesh-vault mesh-native-staking mesh-native-staking-proxy mesh-external-staking
        mesh-converter mesh-virtual-staking mesh-price-feed)
target=wasm32-unknown-unknown
target_dir="${CARGO_TARGET_DIR_WASM:-target/wasm}"

# A release profile for modules that go on chain: small, fast, no debug info, abort on panic.
export CARGO_PROFILE_RELEASE_OPT_LEVEL=3
export CARGO_PROFILE_RELEASE_DEBUG=false
export CARGO_PROFILE_RELEASE_LTO=true
export CARGO_PROFILE_RELEASE_CODEGEN_UNITS=1
export CARGO_PROFILE_RELEASE_INCREMENTAL=false
export CARGO_PROFILE_RELEASE_PANIC=abort
export CARGO_PROFILE_RELEASE_OVERFLOW_CHECKS=true

packages=()
for c in "${crates[@]}"; do packages+=(-p "$c"); done

have_rustup_target() {
    command -v rustup >/dev/null 2>&1 &&
        rustup target list --installed 2>/dev/null | grep -qx "$target"
}

debian_ready() {
    [ -x /usr/bin/cargo ] && [ -x /usr/bin/rustc ] && command -v wasm-ld >/dev/null 2>&1 &&
        [ -d "$(/usr/bin/rustc --print sysroot)/lib/rustlib/src/rust/library" ]
}

start=$(date +%s)
if have_rustup_target; then
    route="rustup's wasm32-unknown-unknown target"
    echo "build-wasm: using $route" >&2
    RUSTFLAGS="-C link-arg=-s -C target-cpu=mvp" \
        cargo build --release --lib --locked --target "$target" --target-dir "$target_dir" "${packages[@]}"
else
    if ! debian_ready; then
        # Install them when asked to, or by default when root on a Debian machine (CI, these
        # development machines); MESH_WASM_INSTALL=0 never installs.
        install="${MESH_WASM_INSTALL:-}"
        if [ -z "$install" ] && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
            install=1
        fi
        if [ "$install" = 1 ]; then
            echo "build-wasm: installing Debian's rustc-web cargo-web rust-web-src lld" >&2
            apt-get update -qq
            DEBIAN_FRONTEND=noninteractive apt-get install -y -qq rustc-web cargo-web rust-web-src lld >/dev/null
        else
            cat >&2 <<MSG
build-wasm: no wasm32 toolchain found. Either
  rustup target add $target
or (Debian bookworm, as root)
  apt-get update && apt-get install rustc-web cargo-web rust-web-src lld
or run this script as root (or with MESH_WASM_INSTALL=1) to install the Debian packages.
MSG
            exit 1
        fi
    fi
    route="Debian's rustc $(/usr/bin/rustc --version | cut -d' ' -f2) with -Zbuild-std"
    echo "build-wasm: using $route" >&2
    # Debian's toolchain, never rustup's proxies (which come first on PATH).
    RUSTC=/usr/bin/rustc RUSTDOC=/usr/bin/rustdoc RUSTC_BOOTSTRAP=1 \
        RUSTFLAGS="-C target-cpu=mvp -C link-arg=-s -C linker=wasm-ld -C link-arg=--allow-undefined" \
        /usr/bin/cargo build --release --lib --locked --target "$target" --target-dir "$target_dir" \
        -Zbuild-std=std,panic_abort "${packages[@]}"
fi

mkdir -p "$out"
: > "$out/checksums.txt.tmp"
for c in "${crates[@]}"; do
    name="${c//-/_}.wasm"
    cp "$target_dir/$target/release/$name" "$out/$name"
    (cd "$out" && sha256sum "$name") >> "$out/checksums.txt.tmp"
done
mv "$out/checksums.txt.tmp" "$out/checksums.txt"
echo "build-wasm: ${#crates[@]} modules in $out/ ($route, $(( $(date +%s) - start )) s):" >&2
(cd "$out" && ls -l *.wasm | awk '{printf "  %-36s %8d bytes\n", $9, $5}') >&2
