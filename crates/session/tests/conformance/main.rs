//! One conformance suite for every session store, in the spirit of actix-session's
//! `acceptance_test_suite(store, is_invalidation_supported)`: each test body in [`suite`] is
//! written once and run against each store of [`fixtures`] — the Redis store on a real, private
//! `redis-server`, the same store on a real six-node Redis Cluster, and the in-process store.

mod cluster_round_trips;
mod fixtures;
mod redis_round_trips;
mod suite;

/// One `#[tokio::test]` per store for each test body named.
macro_rules! conformance {
    ($($test:ident),+ $(,)?) => {
        mod redis_store {
            $(
                #[tokio::test]
                async fn $test() {
                    crate::suite::$test(crate::fixtures::RedisFixture::start()).await
                }
            )+
        }

        /// One cluster for every body, run one after the other (each on flushed masters): six
        /// nodes per body would cost more than the bodies themselves.
        mod redis_cluster_store {
            #[tokio::test]
            async fn every_body_of_the_suite_holds_on_a_six_node_cluster() {
                let cluster = authlab_testkit::RedisCluster::start().expect("a six-node cluster");
                $(
                    eprintln!("on the cluster: {}", stringify!($test));
                    crate::suite::$test(crate::fixtures::RedisClusterFixture::flushed(&cluster))
                        .await;
                )+
            }
        }

        mod in_process_store {
            $(
                #[tokio::test]
                async fn $test() {
                    crate::suite::$test(crate::fixtures::InProcessFixture::start()).await
                }
            )+
        }
    };
}

conformance!(
    saved_state_loads_back_until_deleted,
    a_saved_login_loads_back_as_the_same_login,
    a_request_in_flight_during_logout_cannot_bring_the_login_back,
    revoking_a_user_ends_all_their_logins_and_no_one_elses,
    updating_a_deleted_record_does_not_resurrect_its_key,
    a_renewed_session_id_carries_the_login_and_the_old_one_is_dead,
    the_inspector_reads_the_visitors_record_back,
    a_login_with_an_unknown_field_is_refused_not_kept_unguarded,
    the_store_declares_what_it_survives,
    a_ready_store_answers_the_probe,
);
