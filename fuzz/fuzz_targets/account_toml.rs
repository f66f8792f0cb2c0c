//! See `ahr::fuzzing::account_toml` for what this target feeds and how.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| ahr::fuzzing::account_toml(data));
