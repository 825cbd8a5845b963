//! Multi-test suites of the vault, with a test cross lienholder and a local staking stand-in.

mod cross_staker;
mod local_staker;
mod suite;

mod execute_tests;
mod invariants;
mod query_tests;
mod seed_story;
mod slash_tests;
mod unit_tests;
