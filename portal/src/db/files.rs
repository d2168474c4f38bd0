//! Files: uploaded attachments (content-addressed blobs), what may read them, and the
//! garbage of abandoned uploads.

use super::*;

impl Db {
    // --- files ---

    /// Stores a file under the SHA-256 of its content (once, whoever uploads it again) and
    /// records that `user` uploaded it as `name`.
    pub async fn put_blob(
        &self,
        blob: &BlobRow,
        content: &[u8],
        user: &str,
        name: &str,
        now: i64,
    ) -> Result<(), sqlx::Error> {
        write_tx!(self, |tx| {
            sqlx::query(
                "INSERT INTO blobs (sha256, media_type, size, content, created_at) VALUES ($1, $2, $3, $4, $5) \
                 ON CONFLICT (sha256) DO NOTHING",
            )
            .bind(&blob.sha256)
            .bind(&blob.media_type)
            .bind(blob.size)
            .bind(content)
            .bind(now)
            .execute(&mut *tx)
            .await?;
            sqlx::query(
                "INSERT INTO blob_owners (sha256, user_id, name) VALUES ($1, $2, $3) \
                 ON CONFLICT (sha256, user_id) DO UPDATE SET name = excluded.name",
            )
            .bind(&blob.sha256)
            .bind(user)
            .bind(name)
            .execute(&mut *tx)
            .await?;
        });
        Ok(())
    }

    /// The dossiers of `agency` that refer to the file `sha256` (for the access audit).
    pub async fn dossiers_with_blob(
        &self,
        sha256: &str,
        agency: &str,
    ) -> Result<Vec<String>, sqlx::Error> {
        read!(self, |pool| {
            let rows = sqlx::query(concat!(
                "SELECT d.code FROM dossier_blobs b JOIN dossiers d ON d.code = b.code \
                 WHERE b.sha256 = $1 AND d.agency_code = $2 AND ",
                with_agency!("d."),
                " ORDER BY d.code",
            ))
            .bind(sha256)
            .bind(agency)
            .fetch_all(pool)
            .await?;
            rows.iter().map(|r| r.try_get("code")).collect()
        })
    }

    /// What `user` uploaded that no dossier refers to yet: (files, bytes).
    pub async fn unattached_of(&self, user: &str) -> Result<(i64, i64), sqlx::Error> {
        read!(self, |pool| {
            let row = sqlx::query(
                "SELECT COUNT(*) AS n, CAST(COALESCE(SUM(b.size), 0) AS BIGINT) AS bytes FROM blob_owners o \
                 JOIN blobs b ON b.sha256 = o.sha256 WHERE o.user_id = $1 \
                 AND NOT EXISTS (SELECT 1 FROM dossier_blobs d WHERE d.sha256 = o.sha256)",
            )
            .bind(user)
            .fetch_one(pool)
            .await?;
            Ok((row.try_get("n")?, row.try_get::<i64, _>("bytes")?))
        })
    }

    /// Removes the files no dossier refers to that were uploaded before `before` (ms): the
    /// clean-up of abandoned uploads. How many files and bytes went.
    pub async fn collect_garbage(&self, before: i64) -> Result<(u64, i64), sqlx::Error> {
        let gone = write_tx!(self, |tx| {
            let row = sqlx::query(
                "SELECT COUNT(*) AS n, CAST(COALESCE(SUM(size), 0) AS BIGINT) AS bytes FROM blobs b \
                 WHERE b.created_at < $1 \
                 AND NOT EXISTS (SELECT 1 FROM dossier_blobs d WHERE d.sha256 = b.sha256)",
            )
            .bind(before)
            .fetch_one(&mut *tx)
            .await?;
            let bytes: i64 = row.try_get("bytes")?;
            sqlx::query(
                "DELETE FROM blob_owners WHERE sha256 IN (SELECT b.sha256 FROM blobs b \
                 WHERE b.created_at < $1 \
                 AND NOT EXISTS (SELECT 1 FROM dossier_blobs d WHERE d.sha256 = b.sha256))",
            )
            .bind(before)
            .execute(&mut *tx)
            .await?;
            let n = sqlx::query(
                "DELETE FROM blobs WHERE created_at < $1 \
                 AND NOT EXISTS (SELECT 1 FROM dossier_blobs d WHERE d.sha256 = blobs.sha256)",
            )
            .bind(before)
            .execute(&mut *tx)
            .await?
            .rows_affected();
            (n, bytes)
        });
        Ok(gone)
    }

    /// A file `user` uploaded: its type and size.
    pub async fn uploaded_blob(
        &self,
        sha256: &str,
        user: &str,
    ) -> Result<Option<BlobRow>, sqlx::Error> {
        read!(self, |pool| {
            let row = sqlx::query(
                "SELECT b.sha256, b.media_type, b.size FROM blobs b JOIN blob_owners o ON o.sha256 = b.sha256 \
                 WHERE b.sha256 = $1 AND o.user_id = $2",
            )
            .bind(sha256)
            .bind(user)
            .fetch_optional(pool)
            .await?;
            row.map(|r| BlobRow::from_row(&r)).transpose()
        })
    }

    /// A file's content, when `user` may read it: they uploaded it, or it belongs to a dossier
    /// they own, or (an official) to a dossier of their agency.
    pub async fn readable_blob(
        &self,
        sha256: &str,
        user: &str,
        agency: Option<&str>,
    ) -> Result<Option<(BlobRow, Vec<u8>)>, sqlx::Error> {
        read!(self, |pool| {
            let row = sqlx::query(concat!(
                "SELECT sha256, media_type, size, content FROM blobs WHERE sha256 = $1 AND ( \
                   EXISTS (SELECT 1 FROM blob_owners o WHERE o.sha256 = $1 AND o.user_id = $2) \
                   OR EXISTS (SELECT 1 FROM dossier_blobs l JOIN dossiers d ON d.code = l.code \
                              WHERE l.sha256 = $1 AND (d.owner_id = $2 OR (d.agency_code = $3 AND ",
                with_agency!("d."),
                "))))",
            ))
            .bind(sha256)
            .bind(user)
            .bind(agency)
            .fetch_optional(pool)
            .await?;
            row.map(|r| Ok((BlobRow::from_row(&r)?, r.try_get("content")?)))
                .transpose()
        })
    }
}

/// A stored file's description.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BlobRow {
    pub sha256: String,
    pub media_type: String,
    pub size: i64,
}

impl BlobRow {
    pub(super) fn from_row<R: Row>(r: &R) -> Result<Self, sqlx::Error>
    where
        for<'a> &'a str: sqlx::ColumnIndex<R>,
        String: for<'a> sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
        i64: for<'a> sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
    {
        Ok(BlobRow {
            sha256: r.try_get("sha256")?,
            media_type: r.try_get("media_type")?,
            size: r.try_get("size")?,
        })
    }
}
