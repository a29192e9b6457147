//! The session cookie's encryption (actix-web's private cookie jar, AES-256-GCM, as actix-session
//! uses with `CookieContentSecurity::Private`): encrypt a 64-character session key, decrypt it
//! back. Each decryption is checked to give the original value.

use std::hint::black_box;

use actix_web::cookie::{Cookie, CookieJar, Key};
use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion};

const SESSION_KEY: &str = "Zq3XbW9nT1vR5kLm8pYc2HdJ6sFa0gUe4iOoBtNyQwErAz7xSlKjMhGfDcVuIb1P";

fn encrypted(key: &Key) -> String {
    let mut jar = CookieJar::new();
    jar.private_mut(key).add(Cookie::new("id", SESSION_KEY));
    jar.get("id")
        .expect("the encrypted cookie")
        .value()
        .to_owned()
}

fn cookie(c: &mut Criterion) {
    let key = Key::from(&[0x42u8; 64]);
    let sealed = encrypted(&key);
    let mut group = c.benchmark_group("session_cookie");
    group.bench_function(BenchmarkId::new("encrypt", "private"), |b| {
        b.iter(|| {
            let value = encrypted(black_box(&key));
            assert!(value.len() > SESSION_KEY.len());
            value
        })
    });
    group.bench_function(BenchmarkId::new("decrypt", "private"), |b| {
        b.iter(|| {
            let mut jar = CookieJar::new();
            jar.add_original(Cookie::new("id", black_box(sealed.clone())));
            let opened = jar.private(&key).get("id").expect("decrypts");
            assert_eq!(opened.value(), SESSION_KEY);
            opened
        })
    });
    group.finish();
}

criterion_group!(benches, cookie);
criterion_main!(benches);
