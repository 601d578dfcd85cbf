//! Running one test on both database engines: [`on_both_backends!`](crate::on_both_backends)
//! generates a SQLite and a PostgreSQL `#[tokio::test]` for each test function, and
//! [`run_on`] opens what the test is given on one engine, keeps it until the test ends and
//! skips the test when the engine is not there (PostgreSQL without
//! `SIGAP_TEST_POSTGRES_URL`, or a browser test without a browser).

use std::future::Future;

use sigap_store::{Store, StoreOptions};

use crate::{Backend, TestApp, TestDatabase};

/// Generates a SQLite and a PostgreSQL `#[tokio::test]` for each `async fn test(given)`.
/// `$open` is called with the [`Backend`] and answers `Option<T>` (`None`: the test is
/// skipped); the test is given [`Opened::given`] of it.
///
/// ```ignore
/// sigap_testkit::on_both_backends! {
///     sigap_testkit::spawn_app;
///     a_report_becomes_a_ticket: sqlite_report, postgres_report;
/// }
/// ```
#[macro_export]
macro_rules! on_both_backends {
    ($open:expr; $($test:ident: $(#[$sqlite_attr:meta])* $sqlite:ident,
        $(#[$postgres_attr:meta])* $postgres:ident;)*) => {
        $(
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            $(#[$sqlite_attr])*
            async fn $sqlite() {
                $crate::run_on($crate::Backend::Sqlite, $open, $test).await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            $(#[$postgres_attr])*
            async fn $postgres() {
                $crate::run_on($crate::Backend::Postgres, $open, $test).await;
            }
        )*
    };
}

/// What a test's opener answers: what the test is given, and what must live until the
/// test ends (a database to drop, a directory to remove).
pub trait Opened {
    type Given;
    type Kept;
    fn split(self) -> (Self::Given, Self::Kept);
}

impl Opened for TestApp {
    type Given = TestApp;
    type Kept = ();
    fn split(self) -> (TestApp, ()) {
        (self, ())
    }
}

impl Opened for Backend {
    type Given = Backend;
    type Kept = ();
    fn split(self) -> (Backend, ()) {
        (self, ())
    }
}

impl<A, B> Opened for (A, B) {
    type Given = (A, B);
    type Kept = ();
    fn split(self) -> ((A, B), ()) {
        (self, ())
    }
}

impl Opened for TestDatabase {
    type Given = TestDatabase;
    type Kept = ();
    fn split(self) -> (TestDatabase, ()) {
        (self, ())
    }
}

/// A store over a fresh database, for the store's own suite: the test is given the
/// [`Store`], the database lives until the test ends.
pub struct TestStore {
    pub store: Store,
    pub database: TestDatabase,
}

impl Opened for TestStore {
    type Given = Store;
    type Kept = TestDatabase;
    fn split(self) -> (Store, TestDatabase) {
        (self.store, self.database)
    }
}

/// The key that seals reporters' contact data in a store a test opens by itself.
pub fn test_contact_key() -> sigap_store::ContactKey {
    sigap_store::ContactKey::new([5; 32], [6; 32])
}

/// Opens a store over a fresh database of `backend`; `None` when PostgreSQL is not
/// configured.
pub async fn open_store(backend: Backend) -> Option<TestStore> {
    let database = TestDatabase::create(backend).await?;
    let store = Store::open(&database.url, &StoreOptions::default())
        .await
        .expect("open the store")
        .with_contact_key(test_contact_key());
    Some(TestStore { store, database })
}

/// The backend itself, for a test that boots its own app.
pub async fn backend(backend: Backend) -> Option<Backend> {
    Some(backend)
}

/// Opens with `open` on `backend` and runs `test` with what it gave; a test whose engine
/// is not there is skipped. SQLite is always there: only an opener that needs more (a
/// browser) may skip it.
pub async fn run_on<T, Open, Opening, Test, Testing>(backend: Backend, open: Open, test: Test)
where
    T: Opened,
    Open: FnOnce(Backend) -> Opening,
    Opening: Future<Output = Option<T>>,
    Test: FnOnce(T::Given) -> Testing,
    Testing: Future<Output = ()>,
{
    let Some(opened) = open(backend).await else {
        return;
    };
    let (given, kept) = opened.split();
    test(given).await;
    drop(kept);
}
