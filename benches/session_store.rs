//! Session load and save through the server's two stores: `RedisStore` (one compact key per
//! login, read with the user's epoch in one `MGET`, behind this project's bounded link) on a private
//! `redis-server`, and the in-process store. Every call's result is checked.

use std::{hint::black_box, time::Duration as StdDuration};

use actix_session::storage::SessionStore;
use actix_web::cookie::time::Duration;
use authlab_benches::session_state;
use authlab_procs::RedisServer;
use authlab_session::store::{InProcessStore, RedisLink, RedisStore};
use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion};

fn stores(c: &mut Criterion) {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a tokio runtime");
    let redis = RedisServer::start().expect("a private redis-server (is redis-server installed?)");
    let link = RedisLink::new(&redis.url(), StdDuration::from_secs(2)).expect("a Redis URL");
    let redis_store = RedisStore::new(link);
    let memory_store = InProcessStore::new();
    let ttl = Duration::hours(1);
    let state = session_state();

    let redis_key = runtime
        .block_on(redis_store.save(state.clone(), &ttl))
        .expect("save into Redis");
    let memory_key = runtime
        .block_on(memory_store.save(state.clone(), &ttl))
        .expect("save in process");

    let mut group = c.benchmark_group("session_store");
    group.bench_function(BenchmarkId::new("load", "redis"), |b| {
        b.to_async(&runtime).iter(|| async {
            let loaded = redis_store.load(black_box(&redis_key)).await;
            assert!(
                loaded.expect("load succeeds").is_some(),
                "the record is there"
            );
        })
    });
    group.bench_function(BenchmarkId::new("load", "in-process"), |b| {
        b.to_async(&runtime).iter(|| async {
            let loaded = memory_store.load(black_box(&memory_key)).await;
            assert!(
                loaded.expect("load succeeds").is_some(),
                "the record is there"
            );
        })
    });
    // Each save is a new login (its own login id), as a real login is: the Redis store refuses a
    // second new login under an id it already holds.
    let logins = std::cell::Cell::new(0u64);
    let new_login = || {
        logins.set(logins.get() + 1);
        let mut state = state.clone();
        state.insert("login_id".to_owned(), format!("\"bench-{}\"", logins.get()));
        state
    };
    group.bench_function(BenchmarkId::new("save", "redis"), |b| {
        b.to_async(&runtime).iter(|| async {
            redis_store
                .save(black_box(new_login()), &ttl)
                .await
                .expect("save succeeds")
        })
    });
    group.bench_function(BenchmarkId::new("save", "in-process"), |b| {
        b.to_async(&runtime).iter(|| async {
            memory_store
                .save(black_box(state.clone()), &ttl)
                .await
                .expect("save succeeds")
        })
    });
    group.finish();
}

criterion_group!(benches, stores);
criterion_main!(benches);
