//! `http://host` as the browser addressed this server: for the curl lines of the labs and the
//! join URL the teacher reads out.

use actix_web::HttpRequest;

pub fn origin(req: &HttpRequest) -> String {
    let info = req.connection_info();
    format!("{}://{}", info.scheme(), info.host())
}
