//! See `ahr::fuzzing::table` for what this target feeds and how.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| ahr::fuzzing::table(data));
