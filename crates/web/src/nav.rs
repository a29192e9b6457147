//! The login mounts' slugs for the parts of a page that every template shares (the header's
//! links, the labs' status frames), so that no template names a mount.
//!
//! The header is in `base.html`, which every page of the product and of the classroom extends;
//! handing the list to each of their forty page structs would add a field to every one. So the
//! composition root publishes the list once, when it registers the product ([`publish`]), and
//! the templates read it through [`login_slugs`]. One server has one list: every instance in a
//! process (the test suite runs many) is built from the same catalog.

use std::sync::OnceLock;

use authlab_core::Mounts;

static LOGIN_SLUGS: OnceLock<Vec<&'static str>> = OnceLock::new();

/// Publish the login mounts of `mounts`, in the order of the pages. The first call wins.
pub fn publish(mounts: &Mounts) {
    let _ = LOGIN_SLUGS.get_or_init(|| mounts.login().map(|m| m.slug.as_str()).collect());
}

/// The login mounts' slugs, for the templates.
pub fn login_slugs() -> &'static [&'static str] {
    LOGIN_SLUGS.get().map(Vec::as_slice).unwrap_or(&[])
}
