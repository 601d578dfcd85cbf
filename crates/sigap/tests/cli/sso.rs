//! The command line around single sign-on: `sigap user unlink-sso` forgets the provider
//! identity recorded for a user, and wrong `SIGAP_OIDC_*` settings stop the start with a
//! one-line error naming the setting.

use super::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unlink_sso_forgets_the_recorded_identity() {
    let data = temp_dir("sso-unlink");
    let email = "petugas@kominfo.batam.go.id";
    ok(&sigap(
        &data,
        None,
        &[
            "user", "add", "--email", email, "--name", "Petugas", "--role", "helpdesk",
        ],
    ));
    let url = format!("sqlite://{}", data.join("sigap.db").display());
    let store = sigap_store::Store::open(&url, &sigap_store::StoreOptions::default())
        .await
        .unwrap();
    let user = store.find_user(email).await.unwrap().unwrap();
    let mut tx = store.begin().await.unwrap();
    tx.link_identity("https://sso.batam.go.id", "sub-1", user.id, 1)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    store.close().await;

    let out = ok(&sigap(
        &data,
        None,
        &["user", "unlink-sso", "--email", email],
    ));
    assert!(out.contains("1 SSO identity"), "{out}");
    let store = sigap_store::Store::open(&url, &sigap_store::StoreOptions::default())
        .await
        .unwrap();
    let linked = store
        .find_identity_user("https://sso.batam.go.id", "sub-1")
        .await
        .unwrap();
    assert_eq!(linked, None);
    store.close().await;
    let unknown = fails(&sigap(
        &data,
        None,
        &["user", "unlink-sso", "--email", "tidak.ada@batam.go.id"],
    ));
    assert!(unknown.contains("not found"), "{unknown}");
    ok(&sigap(&data, None, &["audit", "verify"]));
}

#[test]
fn wrong_sso_settings_stop_the_start() {
    let data = temp_dir("sso-settings");
    let cases: [(&[(&str, &str)], &str); 4] = [
        (
            &[("SIGAP_OIDC_ISSUER", "https://sso.batam.go.id")],
            "SIGAP_OIDC_CLIENT_ID",
        ),
        (
            &[
                ("SIGAP_OIDC_ISSUER", "https://sso.batam.go.id"),
                ("SIGAP_OIDC_CLIENT_ID", "sigap"),
            ],
            "SIGAP_OIDC_CLIENT_SECRET",
        ),
        (&[("SIGAP_PASSWORD_ROLES", "admin")], "SIGAP_OIDC_ISSUER"),
        (
            &[
                ("SIGAP_OIDC_ISSUER", "https://sso.batam.go.id"),
                ("SIGAP_OIDC_CLIENT_ID", "sigap"),
                ("SIGAP_OIDC_CLIENT_SECRET", "rahasia"),
                ("SIGAP_OIDC_GROUPS_CLAIM", "groups"),
                ("SIGAP_OIDC_ROLE_MAP", "pemilik=system_owner"),
            ],
            "SIGAP_OIDC_ROLE_MAP",
        ),
    ];
    for (env, named) in cases {
        let mut cmd = sigap_bare(&data, None);
        cmd.args(["serve", "--listen", "127.0.0.1:0"]);
        for (k, v) in env {
            cmd.env(k, v);
        }
        let err = fails(&cmd.output().unwrap());
        assert!(err.contains(named), "{named}: {err}");
    }
}
