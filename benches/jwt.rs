//! JWT sign and verify per algorithm, keys built once (as the server builds its key at start-up),
//! plus the server's own path per algorithm (`TokenCodec`, with its stricter checks; HS256 and
//! EdDSA), the second service's local check of an EdDSA token with the JWKS key, and the group
//! `hs256_verify_paths`: `jsonwebtoken::decode` beside the server's path on the same token.
//!
//! Every measured call is checked: a failed sign or verify panics the benchmark instead of being
//! timed as if it were fast.

use std::hint::black_box;

use authlab_benches::{claims, key_pairs, BenchClaims};
use authlab_core::{Identity, Role, Secret};
use authlab_jwt::{codec::unix_now, Claims, JwtAlg, JwtSettings, TokenCodec};
use authlab_resource::local_verify::Rules;
use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion};
use jsonwebtoken::{decode, encode, Algorithm, DecodingKey, Header, Validation};

fn sign_and_verify(c: &mut Criterion) {
    let pairs = key_pairs().expect("the checked-in test keys load");
    let mut group = c.benchmark_group("jwt");
    for pair in &pairs {
        let header = Header::new(pair.algorithm);
        let claims = claims();
        let mut validation = Validation::new(pair.algorithm);
        validation.leeway = 0;
        validation.set_audience(&["authlab-demo"]);
        validation.set_issuer(&["authlab"]);
        let token = encode(&header, &claims, &pair.encoding).expect("signs");

        group.bench_function(BenchmarkId::new("sign", pair.name), |b| {
            b.iter(|| {
                encode(black_box(&header), black_box(&claims), &pair.encoding)
                    .expect("sign succeeds")
            })
        });
        group.bench_function(BenchmarkId::new("verify", pair.name), |b| {
            b.iter(|| {
                let data = decode::<BenchClaims>(black_box(&token), &pair.decoding, &validation)
                    .expect("verify succeeds");
                assert_eq!(data.claims.sub, "bob");
                data
            })
        });
    }

    let identity = Identity {
        username: "bob".to_owned(),
        display_name: "Bob the Builder".to_owned(),
        role: Role::User,
    };
    // The server's own path per algorithm: the codec as the server builds it at start-up.
    for (alg, key) in [
        (JwtAlg::Hs256, vec![0x5a; 64]),
        (JwtAlg::EdDsa, vec![0x5a; 32]),
    ] {
        let mut settings = JwtSettings::new(Secret::new(key), std::time::Duration::from_secs(900));
        settings.algorithm = alg;
        let codec = TokenCodec::new(&settings).expect("valid settings");
        let (token, _) = codec.issue(&identity).expect("issues");
        group.bench_function(BenchmarkId::new("server_sign", alg.name()), |b| {
            b.iter(|| codec.issue(black_box(&identity)).expect("issue succeeds"))
        });
        group.bench_function(BenchmarkId::new("server_verify", alg.name()), |b| {
            b.iter(|| codec.verify(black_box(&token)).expect("verify succeeds"))
        });
        if alg == JwtAlg::EdDsa {
            // What `authlab resource` does per request with a cached JWKS key: the same token,
            // checked with nothing but the published public key.
            let x = codec.public_key_x().expect("an Ed25519 public key");
            let key = DecodingKey::from_ed_components(x).expect("the JWKS key");
            let rules = Rules::new("authlab", "authlab-demo");
            group.bench_function(BenchmarkId::new("resource_local_verify", alg.name()), |b| {
                b.iter(|| {
                    let who = rules
                        .verify(black_box(&token), codec.kid(), &key)
                        .expect("verify succeeds");
                    assert_eq!(who.sub, "bob");
                    who
                })
            });
        }
    }
    group.finish();
}

/// The same server token through `jsonwebtoken::decode` (configured as strictly as the codec's
/// reference path), through the codec's reference path alone, and through the codec as the
/// server calls it (the own path first).
fn verify_paths(c: &mut Criterion) {
    let secret = vec![0x5a; 64];
    let codec = TokenCodec::new(&JwtSettings::new(
        Secret::new(secret.clone()),
        std::time::Duration::from_secs(900),
    ))
    .expect("valid settings");
    let identity = Identity {
        username: "bob".to_owned(),
        display_name: "Bob the Builder".to_owned(),
        role: Role::User,
    };
    let (token, claims) = codec.issue(&identity).expect("issues");
    let key = DecodingKey::from_secret(&secret);
    let mut validation = Validation::new(Algorithm::HS256);
    validation.leeway = 0;
    validation.validate_nbf = true;
    validation.set_issuer(&["authlab"]);
    validation.set_audience(&["authlab-demo"]);
    validation.set_required_spec_claims(&["exp", "iat", "iss", "aud", "sub"]);

    let mut group = c.benchmark_group("hs256_verify_paths");
    group.bench_function(
        BenchmarkId::new("jsonwebtoken_decode", "server_token"),
        |b| {
            b.iter(|| {
                let data = decode::<Claims>(black_box(&token), &key, &validation)
                    .expect("verify succeeds");
                assert_eq!(data.claims, claims);
                data
            })
        },
    );
    group.bench_function(
        BenchmarkId::new("server_reference_path", "server_token"),
        |b| {
            b.iter(|| {
                codec
                    .verify_reference_at(black_box(&token), unix_now())
                    .expect("verify succeeds")
            })
        },
    );
    group.bench_function(BenchmarkId::new("server_path", "server_token"), |b| {
        b.iter(|| {
            let verified = codec.verify(black_box(&token)).expect("verify succeeds");
            assert_eq!(verified, claims);
            verified
        })
    });
    group.finish();
}

criterion_group!(benches, sign_and_verify, verify_paths);
criterion_main!(benches);
