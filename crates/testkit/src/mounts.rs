//! The mounts as the tests name them: every one comes from the server's own list
//! ([`authlab::CATALOG`]), so a test that names a mount names it through a type, and a loop over
//! "every login mount" covers a mount added later without editing the test.

use authlab::CATALOG;
use authlab_core::{MountInfo, MountSlug, StateHome};

pub const SESSION: MountSlug = authlab_session::REDIS_MOUNT.slug;
pub const MEMORY: MountSlug = authlab_session::MEMORY_MOUNT.slug;
pub const JWT: MountSlug = authlab_jwt::JWT_MOUNT.slug;
pub const REFRESH: MountSlug = authlab_refresh::REFRESH_MOUNT.slug;
pub const BASELINE: MountSlug = authlab_core::baseline::BASELINE_MOUNT.slug;

/// The mounts that keep a login, in the order of the pages.
pub fn login_mounts() -> Vec<MountSlug> {
    CATALOG
        .iter()
        .filter(|info| info.login)
        .map(|info| info.slug)
        .collect()
}

/// The login mounts that keep each login on the server (a record per login).
pub fn stateful_mounts() -> Vec<MountSlug> {
    CATALOG
        .iter()
        .filter(|info| info.login && matches!(info.home, StateHome::Redis | StateHome::Process))
        .map(|info| info.slug)
        .collect()
}

/// What the server says of the mount `slug`. Every slug a test can name is in the list.
pub fn info(slug: MountSlug) -> &'static MountInfo {
    CATALOG
        .iter()
        .find(|info| info.slug == slug)
        .copied()
        .unwrap_or_else(|| panic!("/{slug} is not in the server's list of mounts"))
}

/// Run one contract test against every login mount of the server's list at once, and fail
/// naming each mount it failed on. Behind `for_each_mount!`: a mount added to the list is
/// covered by the whole contract without editing a test.
pub async fn on_every_login_mount<F, Fut>(test: F)
where
    F: Fn(MountSlug) -> Fut,
    Fut: std::future::Future<Output = ()> + 'static,
{
    let local = tokio::task::LocalSet::new();
    let runs: Vec<_> = login_mounts()
        .into_iter()
        .map(|mount| (mount, local.spawn_local(test(mount))))
        .collect();
    let failures = local
        .run_until(async {
            let mut failures = Vec::new();
            for (mount, run) in runs {
                if let Err(err) = run.await {
                    failures.push(format!("/{mount}: {}", panic_text(err)));
                }
            }
            failures
        })
        .await;
    assert!(
        failures.is_empty(),
        "the contract does not hold on {} mount(s): {}",
        failures.len(),
        failures.join(" | ")
    );
}

fn panic_text(err: tokio::task::JoinError) -> String {
    match err.try_into_panic() {
        Ok(payload) => payload
            .downcast_ref::<String>()
            .cloned()
            .or_else(|| payload.downcast_ref::<&str>().map(|s| (*s).to_owned()))
            .unwrap_or_else(|| "panicked".to_owned()),
        Err(err) => err.to_string(),
    }
}
