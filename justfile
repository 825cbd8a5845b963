# Thin aliases of the cargo commands (see README.md).

# Run every test (contracts, actors, fixtures and snapshots).
test:
    cargo test --workspace

# Run scenarios (the built-in demo when no path is given).
run *ARGS:
    cargo run --release -p mesh-harness -- run {{ARGS}}

# A fuzzing campaign.
fuzz *ARGS:
    cargo run --release -p mesh-harness -- fuzz {{ARGS}}

# Benchmarks (release build).
bench *ARGS:
    cargo run --release -p mesh-harness -- bench {{ARGS}}

# Build the contracts to artifacts/*.wasm (see scripts/build-wasm.sh).
wasm *ARGS:
    scripts/build-wasm.sh {{ARGS}}

# Review changed snapshots.
review:
    cargo insta review --workspace-root . 
