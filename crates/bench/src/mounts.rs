//! The mounts a run measures: the list the composition root builds (`authlab::CATALOG`), handed
//! in through the run's config.
//!
//! The harness drives the real binary from outside, so it reads only each mount's static
//! [`MountInfo`] and never a backend. It never names a mount either. A scenario that needs "the
//! mount whose logins live in Redis" asks for it by [`StateHome`]; the client finds the bearer
//! token or the cookie through the mount's credential; tables and charts iterate the list. So a new
//! mount is measured, tabled and charted without an edit in this crate, and the crate does not
//! depend on the binary's package to get the list (that package depends on this one).

use authlab_core::{MountInfo, StateHome};

/// The mounts of the server under test, in the order the composition root lists them.
#[derive(Debug, Clone, Copy)]
pub struct MountList(&'static [&'static MountInfo]);

impl MountList {
    pub const fn new(mounts: &'static [&'static MountInfo]) -> Self {
        MountList(mounts)
    }

    /// Every mount, in the order the report shows them: the baseline first, as the yardstick the
    /// others are read against, then the others in the list's order.
    pub fn measured(self) -> impl Iterator<Item = &'static MountInfo> {
        let baseline = self.0.iter().copied().filter(|m| !m.login);
        baseline.chain(self.login())
    }

    /// The mounts a user logs in to, in the list's order.
    pub fn login(self) -> impl Iterator<Item = &'static MountInfo> {
        self.0.iter().copied().filter(|m| m.login)
    }

    /// The mount with no login at all, which every request of the others is compared with.
    pub fn baseline(self) -> Option<&'static MountInfo> {
        self.0.iter().copied().find(|m| !m.login)
    }

    /// The mount whose logins live at `home` (the first, should two share one): what a scenario
    /// about Redis, the process or the client measures.
    pub fn home(self, home: StateHome) -> Option<&'static MountInfo> {
        self.0.iter().copied().find(|m| m.home == home)
    }

    /// Where a mount stands in [`Self::login`], for the charts' palette.
    pub fn login_position(self, slug: &str) -> Option<usize> {
        self.login().position(|m| m.slug.as_str() == slug)
    }
}

/// Mounts for the unit tests, named unlike the real ones so that a test passes only if the code
/// under test chooses by what a mount is, never by its name.
#[cfg(test)]
pub mod fixtures {
    use authlab_core::{CookieName, Credential, MountInfo, MountSlug, StateHome, StepWords};

    use super::MountList;

    const fn info(
        slug: &'static str,
        home: StateHome,
        cookie: Option<CookieName>,
        bearer: bool,
    ) -> MountInfo {
        MountInfo {
            slug: MountSlug::new(slug),
            title: slug,
            summary: "",
            credential: Credential {
                cookie,
                renewal_cookie: None,
                bearer,
                what: "",
            },
            home,
            login: !matches!(home, StateHome::Nowhere),
            words: StepWords {
                created_title: "",
                created: "",
                sent: "",
                stored: "",
                verified: "",
                authorized: "",
                ended: "",
            },
        }
    }

    pub const IN_REDIS: MountInfo = info(
        "kept",
        StateHome::Redis,
        Some(CookieName::new("kept_id")),
        false,
    );
    pub const IN_PROCESS: MountInfo = info(
        "local",
        StateHome::Process,
        Some(CookieName::new("local_id")),
        false,
    );
    pub const ON_CLIENT: MountInfo = info(
        "signed",
        StateHome::Client,
        Some(CookieName::new("signed_token")),
        true,
    );
    pub const NONE: MountInfo = info("open", StateHome::Nowhere, None, false);
    /// Short tokens on the client, renewed by a refresh token the server keeps.
    pub const SPLIT: MountInfo = MountInfo {
        credential: Credential {
            renewal_cookie: Some(CookieName::new("renewing_refresh")),
            ..info(
                "renewing",
                StateHome::Split,
                Some(CookieName::new("renewing_access")),
                true,
            )
            .credential
        },
        ..info(
            "renewing",
            StateHome::Split,
            Some(CookieName::new("renewing_access")),
            true,
        )
    };

    /// The baseline last, as the composition root lists it.
    pub const LIST: MountList = MountList::new(&[&IN_REDIS, &IN_PROCESS, &ON_CLIENT, &NONE]);
}

#[cfg(test)]
mod tests {
    use super::{fixtures::*, *};

    #[test]
    fn the_baseline_is_measured_first_and_the_others_keep_the_lists_order() {
        // Arrange
        let list = LIST;

        // Act
        let measured: Vec<&str> = list.measured().map(|m| m.slug.as_str()).collect();
        let login: Vec<&str> = list.login().map(|m| m.slug.as_str()).collect();

        // Assert
        assert_eq!(measured, ["open", "kept", "local", "signed"]);
        assert_eq!(login, ["kept", "local", "signed"]);
        assert_eq!(list.baseline().map(|m| m.slug.as_str()), Some("open"));
    }

    #[test]
    fn a_mount_is_found_by_where_its_logins_live_the_first_of_two_winning() {
        // Arrange
        const SECOND_IN_REDIS: MountInfo = MountInfo {
            slug: authlab_core::MountSlug::new("kept-too"),
            ..IN_REDIS
        };
        let list = MountList::new(&[&NONE, &IN_REDIS, &SECOND_IN_REDIS, &ON_CLIENT]);

        // Act
        let redis = list.home(StateHome::Redis);
        let process = list.home(StateHome::Process);

        // Assert
        assert_eq!(redis.map(|m| m.slug.as_str()), Some("kept"));
        assert!(
            process.is_none(),
            "no mount keeps its logins in the process"
        );
        assert_eq!(list.login_position("signed"), Some(2));
        assert_eq!(list.login_position("open"), None);
    }
}
