#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    authlab_fuzz_targets::jwt_differential(data);
});
