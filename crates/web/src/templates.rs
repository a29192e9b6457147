//! The askama templates, one struct per page. Every page is rendered by the server; the HTML is
//! escaped by askama, never assembled with `format!`.

use askama::Template;
use authlab_core::{Identity, Rejection};

use crate::{inspector::InspectorView, lan_warning::LanWarning, Mount};

#[derive(Template)]
#[template(path = "landing.html")]
pub struct LandingPage<'a> {
    pub mounts: Vec<&'a Mount>,
    pub lan_warning: Option<LanWarning>,
}

#[derive(Template)]
#[template(path = "login.html")]
pub struct LoginPage<'a> {
    pub mount: &'a Mount,
    /// The generic "wrong username or password", never which of the two was wrong.
    pub error: Option<&'a str>,
    /// Why the last credential was refused, when the browser was sent here for that.
    pub rejection: Option<Rejection>,
    pub logged_in_as: Option<Identity>,
    /// What the user typed, so a failed attempt does not lose it (never the password).
    pub username: &'a str,
    /// The CSRF token of the form.
    pub csrf: &'a str,
    pub lan_warning: Option<LanWarning>,
    /// Why this visitor was logged out, when an announced event (a key rotation, a flush, a
    /// restart) ended their login since they last logged in here.
    pub logged_out_by: Option<String>,
}

#[derive(Template)]
#[template(path = "dashboard.html")]
pub struct DashboardPage<'a> {
    pub mount: &'a Mount,
    pub identity: &'a Identity,
    /// The CSRF token of the logout form.
    pub csrf: &'a str,
    pub inspector: InspectorView,
}

#[derive(Template)]
#[template(path = "admin.html")]
pub struct AdminPage<'a> {
    pub mount: &'a Mount,
    pub identity: &'a Identity,
}

#[derive(Template)]
#[template(path = "error.html")]
pub struct ErrorPage<'a> {
    pub status: u16,
    pub title: &'a str,
    pub message: &'a str,
    /// A link out of the error: (href, label).
    pub back: Option<(String, &'a str)>,
}
