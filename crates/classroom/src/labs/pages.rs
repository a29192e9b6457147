//! The askama templates of the labs, one struct per page; every result field is computed by a
//! handler from the real parts.

use askama::Template;
use authlab_core::Identity;

use super::{loopback::Answer, naive_verifier::NaiveVerdict, token_view::TokenView, Lab, LabInfo};
use crate::Mount;

#[derive(Template)]
#[template(path = "labs/index.html")]
pub struct IndexPage {
    pub labs: &'static [&'static Lab],
    pub supervised: bool,
}

/// A request a lab sent to this server, and what came back.
pub struct Sent {
    pub what: String,
    pub curl: String,
    pub answer: Answer,
    /// The rejection the answer names, in words.
    pub explanation: Option<&'static str>,
}

#[derive(Template)]
#[template(path = "labs/tamper.html")]
pub struct TamperPage<'a> {
    pub lab: &'a LabInfo,
    pub csrf: &'a str,
    pub problem: Option<String>,
    pub result: Option<TamperResult>,
}

pub struct TamperResult {
    pub original: TokenView,
    pub forged: TokenView,
    pub from_role: String,
    pub to_role: String,
    pub original_sent: Sent,
    pub forged_sent: Sent,
}

#[derive(Template)]
#[template(path = "labs/forged.html")]
pub struct ForgedPage<'a> {
    pub lab: &'a LabInfo,
    pub csrf: &'a str,
    pub problem: Option<String>,
    pub result: Option<Vec<(TokenView, Sent)>>,
}

#[derive(Template)]
#[template(path = "labs/decode.html")]
pub struct DecodePage<'a> {
    pub lab: &'a LabInfo,
    pub csrf: &'a str,
    pub problem: Option<String>,
    pub result: Option<DecodeResult>,
}

pub struct DecodeResult {
    pub view: TokenView,
    /// (claim, value, in words)
    pub times: Vec<(String, i64, String)>,
    pub shell: String,
}

#[derive(Template)]
#[template(path = "labs/expiry.html")]
pub struct ExpiryPage<'a> {
    pub lab: &'a LabInfo,
    pub csrf: &'a str,
    pub jwt_ttl: u64,
    pub short_ttl: i64,
    pub problem: Option<String>,
    pub result: Option<ExpiryResult>,
}

pub struct ExpiryResult {
    pub headline: String,
    pub exp: Option<i64>,
    /// "Expires in 10 s" / "Expired 3 s ago", as of rendering (the script keeps it current).
    pub countdown: String,
    pub verdict: String,
    pub expired: bool,
}

#[derive(Template)]
#[template(path = "labs/revocation.html")]
pub struct RevocationPage<'a> {
    pub lab: &'a LabInfo,
    pub csrf: &'a str,
    pub mounts: Vec<&'a Mount>,
    pub problem: Option<String>,
    /// Who was just logged out of which mount.
    pub logged_out: Option<LoggedOut>,
    /// Every copy held so far, replayed now, in the order of the mounts.
    pub results: Vec<RevocationResult<'a>>,
    /// The bearer comparison: each mount's API token, replayed after an API logout.
    pub bearers: Option<Vec<BearerRow<'a>>>,
}

impl RevocationPage<'_> {
    /// Whether the browser was just logged out of `mount` (its verdict is the page's answer).
    pub fn just_out_of(&self, mount: &authlab_core::MountSlug) -> bool {
        self.logged_out.as_ref().is_some_and(|o| o.mount == *mount)
    }

    /// Where "replay every copy" posts: any login mount's replay route replays them all.
    pub fn replay_action(&self) -> String {
        self.results
            .first()
            .map_or_else(String::new, |r| r.mount.path("labs/replay"))
    }
}

pub struct BearerRow<'a> {
    pub mount: &'a Mount,
    pub logout_status: u16,
    /// What the login answer said the token lives, in seconds.
    pub expires_in: Option<u64>,
    pub replay: Sent,
}

pub struct LoggedOut {
    pub mount: authlab_core::MountSlug,
    pub identity: Identity,
}

pub struct RevocationResult<'a> {
    pub mount: &'a Mount,
    pub cookie_name: String,
    /// The form field that carries this copy to the next press.
    pub field: String,
    pub credential: String,
    pub replay: Sent,
}

#[derive(Template)]
#[template(path = "labs/roles.html")]
pub struct RolesPage<'a> {
    pub lab: &'a LabInfo,
    pub csrf: &'a str,
    pub users: Vec<Identity>,
    pub change: Option<String>,
}

#[derive(Template)]
#[template(path = "labs/authorization.html")]
pub struct AuthorizationPage<'a> {
    pub lab: &'a LabInfo,
    pub csrf: &'a str,
    pub rows: Option<Vec<AuthorizationRow>>,
}

pub struct AuthorizationRow {
    pub mount: String,
    pub username: String,
    pub role: String,
    pub login_status: u16,
    pub admin_status: Option<u16>,
}

#[derive(Template)]
#[template(path = "labs/restart.html")]
pub struct RestartPage<'a> {
    pub lab: &'a LabInfo,
    pub csrf: &'a str,
    pub pid: u32,
    pub uptime_secs: u64,
    pub supervised: bool,
    pub restarting: bool,
}

#[derive(Template)]
#[template(path = "labs/flush.html")]
pub struct FlushPage<'a> {
    pub lab: &'a LabInfo,
    pub csrf: &'a str,
    pub before: Option<u64>,
    /// `Err`: Redis did not answer (the details are in the log, not on the page).
    pub outcome: Option<Result<Flushed, ()>>,
}

/// What a flush deleted.
pub struct Flushed {
    pub deleted: u64,
    /// Denylisted (logged-out, unexpired) JWTs that the flush made valid again.
    pub revived_tokens: u64,
}

#[derive(Template)]
#[template(path = "labs/rotate.html")]
pub struct RotatePage<'a> {
    pub lab: &'a LabInfo,
    pub csrf: &'a str,
    pub fingerprint: String,
    pub outcome: Option<Result<String, String>>,
}

#[derive(Template)]
#[template(path = "labs/status.html")]
pub struct StatusPage<'a> {
    pub mount: &'a Mount,
    /// `in`, `out`, `rejected` or `down`, for the stylesheet and the tests.
    pub state: &'static str,
    pub text: String,
}

#[derive(Template)]
#[template(path = "labs/refresh_carries_on.html")]
pub struct CarriesOnPage<'a> {
    pub lab: &'a LabInfo,
    pub csrf: &'a str,
    pub mount: &'a Mount,
    pub short_secs: i64,
    /// Reload by itself while a short token is about to expire, so the change is seen.
    pub reload: bool,
    pub now: Option<super::refresh_carries_on::Now>,
    /// Why the login ended, when it did.
    pub rejection: Option<&'static str>,
    pub problem: Option<String>,
    /// Served at `/labs/…`, where the `/refresh` cookies never arrive.
    pub outside: bool,
}

#[derive(Template)]
#[template(path = "labs/stolen_refresh.html")]
pub struct StolenPage<'a> {
    pub lab: &'a LabInfo,
    pub csrf: &'a str,
    pub mount: &'a Mount,
    /// `AUTHLAB_REFRESH_REUSE_GRACE`, in seconds.
    pub grace: u64,
    pub identity: Option<Identity>,
    /// This browser's refresh token (to copy into the other browser).
    pub token: Option<String>,
    /// Why this browser's login ended, when it did.
    pub ended: Option<&'static str>,
    pub refreshed: bool,
    pub problem: Option<&'static str>,
    /// Served at `/labs/…`, where the `/refresh` cookies never arrive.
    pub outside: bool,
}

/// One forged token of an attack lab: what the careless verifier made of it, and what this
/// server answered when it was sent for real.
pub struct Attack {
    pub what: String,
    pub view: TokenView,
    pub naive: NaiveVerdict,
    pub sent: Sent,
}

#[derive(Template)]
#[template(path = "labs/weak_secret.html")]
pub struct WeakSecretPage<'a> {
    pub lab: &'a LabInfo,
    pub csrf: &'a str,
    /// (form value, label) of the secrets the careless service may use.
    pub victims: Vec<(usize, &'static str)>,
    pub wordlist_len: usize,
    pub problem: Option<String>,
    pub result: Option<WeakSecretResult>,
}

pub struct WeakSecretResult {
    /// The careless service's token for bob, the one token the attacker has.
    pub stolen: TokenView,
    /// How many words were tried, and how long it took (measured, as it ran).
    pub guesses: usize,
    pub elapsed: String,
    /// The secret found, if the list had it.
    pub found: Option<String>,
    pub attack: Option<Attack>,
    /// What authlab says when started with that secret.
    pub startup_refusal: String,
}

#[derive(Template)]
#[template(path = "labs/jwk_injection.html")]
pub struct JwkInjectionPage<'a> {
    pub lab: &'a LabInfo,
    pub csrf: &'a str,
    pub problem: Option<String>,
    pub result: Option<Vec<Attack>>,
}

#[derive(Template)]
#[template(path = "labs/kid_injection.html")]
pub struct KidInjectionPage<'a> {
    pub lab: &'a LabInfo,
    pub csrf: &'a str,
    pub problem: Option<String>,
    pub result: Option<Vec<Attack>>,
}

#[derive(Template)]
#[template(path = "labs/alg_confusion.html")]
pub struct AlgConfusionPage<'a> {
    pub lab: &'a LabInfo,
    pub csrf: &'a str,
    pub problem: Option<String>,
    pub result: Option<Vec<Attack>>,
}

#[derive(Template)]
#[template(path = "labs/second_service.html")]
pub struct SecondServicePage<'a> {
    pub lab: &'a LabInfo,
    pub csrf: &'a str,
    /// `http://host:port` as the browser reached this server, for the command line.
    pub origin: String,
    pub eddsa: bool,
    pub problem: Option<String>,
    pub result: Option<SecondServiceResult>,
}

pub struct SecondServiceResult {
    pub local: Way,
    pub introspected: Way,
    /// Whether `/jwt` keeps a denylist, i.e. whether the issuer itself can tell a logout.
    pub denylist: bool,
}

/// One way a second service checks a token, as it ran just now.
pub struct Way {
    pub verdict: String,
    pub accepted: bool,
    /// Mean time per request after the first (measured).
    pub per_request: String,
    /// The first request, which for the local way includes fetching the JWKS.
    pub first_request: String,
}
