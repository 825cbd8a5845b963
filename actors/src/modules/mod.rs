//! Chain modules plugged into each cw-multi-test App (work in progress).
