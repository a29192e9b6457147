//! **scale-out**: two server instances that share Redis and the keys (one data directory), with
//! each user's requests alternating between them, as behind a round-robin load balancer. Users log
//! in on the first instance; the share of requests answered 200 is the success rate per mount.

use std::collections::BTreeMap;

use authlab_procs::RedisOptions;
use reqwest::StatusCode;

use super::{start_redis, Context};
use crate::{
    client::{login_many, me},
    progress,
    results::ScaleOutResults,
    server, Results,
};

pub async fn run(context: &Context<'_>, results: &mut Results) -> anyhow::Result<()> {
    let sizes = &context.sizes;
    let redis = start_redis(RedisOptions::default(), results)?;
    let data_dir = context.data_dir("scale-out");
    let first = server::start(&context.config.binary, &data_dir, &redis.url(), &[]).await?;
    let second = server::start(&context.config.binary, &data_dir, &redis.url(), &[]).await?;
    let instances = [first.base_url(), second.base_url()];

    let mounts = context.config.mounts;
    let bar = progress::bar(
        (sizes.scale_users * mounts.login().count()) as u64,
        "logging in on instance 1",
    );
    let mut logins = Vec::new();
    for mount in mounts.login() {
        logins.push((
            mount,
            login_many(&context.http, &instances[0], mount, sizes.scale_users, &bar).await?,
        ));
    }
    bar.finish_and_clear();

    let mut success = BTreeMap::new();
    for (mount, credentials) in &logins {
        let (mut ok, mut total) = (0u64, 0u64);
        for credential in credentials {
            for i in 0..sizes.scale_requests_per_user {
                let base = &instances[i % instances.len()];
                if me(&context.http, base, mount, Some(credential)).await? == StatusCode::OK {
                    ok += 1;
                }
                total += 1;
            }
        }
        let share = ok as f64 / total.max(1) as f64;
        let slug = mount.slug.as_str();
        progress::say(format!("  /{slug}: {share}"));
        results.mount(slug).scale_out_success = Some(share);
        success.insert(slug.to_owned(), share);
    }
    results.scale_out = Some(ScaleOutResults {
        users_per_mount: sizes.scale_users,
        requests_per_user: sizes.scale_requests_per_user,
        success,
    });
    Ok(())
}
