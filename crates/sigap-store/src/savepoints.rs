//! Savepoints inside one write transaction: the members of a group of writes
//! (`sigap_app::group`), each undone alone when it fails.

use crate::{Result, Tx};

impl Tx {
    /// Marks where one member of a group of writes begins (`SAVEPOINT`), so that its
    /// writes can be undone without the others' ([`Tx::rollback_to_savepoint`]).
    pub async fn savepoint(&mut self) -> Result<()> {
        if std::mem::take(&mut self.kept_savepoint) {
            // The previous member's, released in the same round trip.
            return self
                .execute_raw("RELEASE SAVEPOINT sigap_member; SAVEPOINT sigap_member")
                .await;
        }
        self.execute_raw("SAVEPOINT sigap_member").await
    }
    /// Keeps the writes since [`Tx::savepoint`] (they commit with the transaction). The
    /// savepoint itself is released with the next one, or by the commit.
    pub async fn release_savepoint(&mut self) -> Result<()> {
        self.kept_savepoint = true;
        Ok(())
    }
    /// Undoes the writes since [`Tx::savepoint`]; the transaction goes on.
    pub async fn rollback_to_savepoint(&mut self) -> Result<()> {
        // An append may be undone: the head is read again at the next one.
        self.audit_head = None;
        self.kept_savepoint = false;
        self.execute_raw("ROLLBACK TO SAVEPOINT sigap_member; RELEASE SAVEPOINT sigap_member")
            .await
    }
    /// Statements without parameters, sent together (one round trip).
    async fn execute_raw(&mut self, sql: &'static str) -> Result<()> {
        match &mut self.inner {
            crate::TxInner::Sqlite(t) => {
                sqlx::raw_sql(sql).execute(&mut **t).await?;
            }
            crate::TxInner::Postgres(t) => {
                sqlx::raw_sql(sql).execute(&mut **t).await?;
            }
        }
        Ok(())
    }
}
