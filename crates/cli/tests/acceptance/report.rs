//! `/report`: the benchmark report compiled into the binary, its charts, within the CSP.

use authlab_testkit::{assert_status, RedisServer, TestApp};

#[tokio::test]
async fn the_report_page_renders_in_the_site_template_and_every_chart_it_shows_is_served() {
    let redis = RedisServer::start().expect("a private redis-server");
    let app = TestApp::spawn(&redis).await;

    let page = app.get("/report").await;

    assert_status(&page, 200);
    assert!(page.header("content-security-policy").is_some());
    assert!(
        page.body.contains("class=\"site\""),
        "not in the base template"
    );
    let has_report = page.body.contains("id=\"report\"");
    let explains_how = page.body.contains("id=\"no-report\"") && page.body.contains("bench");
    assert!(has_report || explains_how, "{}", page.body);
    assert!(
        !page.body.contains("<script"),
        "no script on the report page"
    );
    assert!(
        !page.body.contains("style="),
        "no inline style on the report page"
    );
    let charts: Vec<&str> = page
        .body
        .split("src=\"/report/")
        .skip(1)
        .filter_map(|rest| rest.split('"').next())
        .collect();
    if has_report {
        assert!(!charts.is_empty(), "the report shows its charts");
    }
    for chart in charts {
        let svg = app.get(&format!("/report/{chart}")).await;
        assert_status(&svg, 200);
        assert_eq!(svg.header("content-type"), Some("image/svg+xml"));
        assert!(svg.body.contains("<svg"), "{chart} is an SVG");
        assert!(svg.body.contains("<text"), "{chart} has its text");
    }
}

#[tokio::test]
async fn an_unknown_chart_is_a_404_not_a_file_read() {
    let redis = RedisServer::start().expect("a private redis-server");
    let app = TestApp::spawn(&redis).await;

    let missing = app.get("/report/nothing.svg").await;
    let traversal = app.get("/report/..%2FCargo.toml").await;

    assert_status(&missing, 404);
    assert_status(&traversal, 404);
}
