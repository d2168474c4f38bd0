//! Users and sessions, the officials' access audit, provisioned officials, the agency
//! directory, and sign-ins in flight through the identity provider.

use super::*;

impl Db {
    // --- users and sessions ---

    /// Adds a user or updates their name, role and agency.
    pub async fn upsert_user(&self, u: &UserRow) -> Result<(), sqlx::Error> {
        write_tx!(self, |tx| {
            sqlx::query(
                "INSERT INTO users (id, role, name, agency_code, personal_id) VALUES ($1, $2, $3, $4, $5) \
                 ON CONFLICT (id) DO UPDATE SET role = excluded.role, name = excluded.name, \
                 agency_code = excluded.agency_code, personal_id = excluded.personal_id",
            )
            .bind(&u.id)
            .bind(&u.role)
            .bind(&u.name)
            .bind(&u.agency_code)
            .bind(&u.personal_id)
            .execute(&mut *tx)
            .await?;
        });
        Ok(())
    }

    pub async fn user(&self, id: &str) -> Result<Option<UserRow>, sqlx::Error> {
        read!(self, |pool| {
            let row = sqlx::query(
                "SELECT id, role, name, agency_code, personal_id FROM users WHERE id = $1",
            )
            .bind(id)
            .fetch_optional(pool)
            .await?;
            row.map(|r| UserRow::from_row(&r)).transpose()
        })
    }

    /// Opens a session (`id_token`: the provider's ID token, kept for signing out there).
    /// Expired sessions are purged on the way.
    pub async fn create_session(
        &self,
        token_hash: &str,
        user_id: &str,
        now: i64,
        expires_at: i64,
        id_token: Option<&str>,
    ) -> Result<(), sqlx::Error> {
        write_tx!(self, |tx| {
            sqlx::query("DELETE FROM sessions WHERE expires_at <= $1")
                .bind(now)
                .execute(&mut *tx)
                .await?;
            sqlx::query(
                "INSERT INTO sessions (token_hash, user_id, created_at, expires_at, id_token, last_seen) \
                 VALUES ($1, $2, $3, $4, $5, $3)",
            )
            .bind(token_hash)
            .bind(user_id)
            .bind(now)
            .bind(expires_at)
            .bind(id_token)
            .execute(&mut *tx)
            .await?;
        });
        Ok(())
    }

    /// The user of a session that has not expired.
    pub async fn session_user(
        &self,
        token_hash: &str,
        now: i64,
    ) -> Result<Option<UserRow>, sqlx::Error> {
        Ok(self.session(token_hash, now).await?.map(|s| s.user))
    }

    /// A session that has not expired: its user, when it was last used, its ID token.
    pub async fn session(
        &self,
        token_hash: &str,
        now: i64,
    ) -> Result<Option<SessionRow>, sqlx::Error> {
        read!(self, |pool| {
            let row = sqlx::query(
                "SELECT u.id, u.role, u.name, u.agency_code, u.personal_id, s.last_seen, s.id_token \
                 FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.token_hash = $1 AND s.expires_at > $2",
            )
            .bind(token_hash)
            .bind(now)
            .fetch_optional(pool)
            .await?;
            row.map(|r| {
                Ok(SessionRow {
                    user: UserRow::from_row(&r)?,
                    last_seen: r.try_get("last_seen")?,
                    id_token: r.try_get("id_token")?,
                })
            })
            .transpose()
        })
    }

    /// Records that a session was used at `now` (for the idle timeout).
    pub async fn touch_session(&self, token_hash: &str, now: i64) -> Result<(), sqlx::Error> {
        write_tx!(self, |tx| {
            sqlx::query("UPDATE sessions SET last_seen = $2 WHERE token_hash = $1")
                .bind(token_hash)
                .bind(now)
                .execute(&mut *tx)
                .await?;
        });
        Ok(())
    }

    /// The citizen whose personal ID number is `personal_id`, if any.
    pub async fn citizen_by_personal_id(
        &self,
        personal_id: &str,
    ) -> Result<Option<UserRow>, sqlx::Error> {
        read!(self, |pool| {
            let row = sqlx::query(
                "SELECT id, role, name, agency_code, personal_id FROM users \
                 WHERE personal_id = $1 AND role = 'citizen' ORDER BY id LIMIT 1",
            )
            .bind(personal_id)
            .fetch_optional(pool)
            .await?;
            row.map(|r| UserRow::from_row(&r)).transpose()
        })
    }

    // --- the access audit ---

    /// Appends an official's read to the access audit.
    pub async fn record_access(&self, a: &AccessRow) -> Result<(), sqlx::Error> {
        write_tx!(self, |tx| {
            sqlx::query(
                "INSERT INTO access_audit (at, actor_id, agency_code, action, dossier_code, object) \
                 VALUES ($1, $2, $3, $4, $5, $6)",
            )
            .bind(a.at)
            .bind(&a.actor_id)
            .bind(&a.agency_code)
            .bind(&a.action)
            .bind(&a.dossier_code)
            .bind(&a.object)
            .execute(&mut *tx)
            .await?;
        });
        Ok(())
    }

    /// The reads of dossier `code`, newest first (at most `limit`, before the entry id
    /// `before`), with the readers' names and each entry's id.
    pub async fn access_of(
        &self,
        code: &str,
        before: Option<i64>,
        limit: i64,
    ) -> Result<Vec<(AccessRow, Option<String>, i64)>, sqlx::Error> {
        read!(self, |pool| {
            let rows = sqlx::query(
                "SELECT a.id, a.at, a.actor_id, a.agency_code, a.action, a.dossier_code, a.object, u.name \
                 FROM access_audit a LEFT JOIN users u ON u.id = a.actor_id \
                 WHERE a.dossier_code = $1 AND ($2 IS NULL OR a.id < $2) ORDER BY a.id DESC LIMIT $3",
            )
            .bind(code)
            .bind(before)
            .bind(limit)
            .fetch_all(pool)
            .await?;
            rows.iter()
                .map(|r| {
                    Ok((
                        AccessRow {
                            at: r.try_get("at")?,
                            actor_id: r.try_get("actor_id")?,
                            agency_code: r.try_get("agency_code")?,
                            action: r.try_get("action")?,
                            dossier_code: r.try_get("dossier_code")?,
                            object: r.try_get("object")?,
                        },
                        r.try_get("name")?,
                        r.try_get("id")?,
                    ))
                })
                .collect()
        })
    }

    // --- provisioned officials ---

    /// Adds an official (or moves them to another agency, renames them).
    pub async fn add_official(&self, o: &OfficialRow) -> Result<(), sqlx::Error> {
        write_tx!(self, |tx| {
            sqlx::query(
                "INSERT INTO officials (personal_id, agency_code, name, added_at) VALUES ($1, $2, $3, $4) \
                 ON CONFLICT (personal_id) DO UPDATE SET agency_code = excluded.agency_code, name = excluded.name",
            )
            .bind(&o.personal_id)
            .bind(&o.agency_code)
            .bind(&o.name)
            .bind(o.added_at)
            .execute(&mut *tx)
            .await?;
            // Moved or renamed: the user row follows now, and their sessions end (they sign in
            // again into the new agency).
            sqlx::query(
                "UPDATE users SET agency_code = $2, name = $3 WHERE personal_id = $1 AND role = 'official'",
            )
            .bind(&o.personal_id)
            .bind(&o.agency_code)
            .bind(&o.name)
            .execute(&mut *tx)
            .await?;
            sqlx::query(
                "DELETE FROM sessions WHERE user_id IN \
                 (SELECT id FROM users WHERE personal_id = $1 AND role = 'official')",
            )
            .bind(&o.personal_id)
            .execute(&mut *tx)
            .await?;
        });
        Ok(())
    }

    /// Removes an official: their official sessions end at once. Whether there was one.
    pub async fn remove_official(&self, personal_id: &str) -> Result<bool, sqlx::Error> {
        let removed = write_tx!(self, |tx| {
            let n = sqlx::query("DELETE FROM officials WHERE personal_id = $1")
                .bind(personal_id)
                .execute(&mut *tx)
                .await?
                .rows_affected();
            sqlx::query(
                "DELETE FROM sessions WHERE user_id IN \
                 (SELECT id FROM users WHERE personal_id = $1 AND role = 'official')",
            )
            .bind(personal_id)
            .execute(&mut *tx)
            .await?;
            n > 0
        });
        Ok(removed)
    }

    /// The provisioned official with this personal ID number, if any.
    pub async fn official(&self, personal_id: &str) -> Result<Option<OfficialRow>, sqlx::Error> {
        read!(self, |pool| {
            let row = sqlx::query(
                "SELECT personal_id, agency_code, name, added_at FROM officials WHERE personal_id = $1",
            )
            .bind(personal_id)
            .fetch_optional(pool)
            .await?;
            row.map(|r| {
                Ok(OfficialRow {
                    personal_id: r.try_get("personal_id")?,
                    agency_code: r.try_get("agency_code")?,
                    name: r.try_get("name")?,
                    added_at: r.try_get("added_at")?,
                })
            })
            .transpose()
        })
    }

    /// Every provisioned official, by agency and name.
    pub async fn officials(&self) -> Result<Vec<OfficialRow>, sqlx::Error> {
        read!(self, |pool| {
            let rows = sqlx::query(
                "SELECT personal_id, agency_code, name, added_at FROM officials ORDER BY agency_code, name",
            )
            .fetch_all(pool)
            .await?;
            rows.iter()
                .map(|r| {
                    Ok(OfficialRow {
                        personal_id: r.try_get("personal_id")?,
                        agency_code: r.try_get("agency_code")?,
                        name: r.try_get("name")?,
                        added_at: r.try_get("added_at")?,
                    })
                })
                .collect()
        })
    }

    // --- the agency directory ---

    /// Adds an agency or renames it.
    pub async fn upsert_agency(
        &self,
        code: &str,
        name: &form_core::Text,
    ) -> Result<(), sqlx::Error> {
        write_tx!(self, |tx| {
            sqlx::query(
                "INSERT INTO agencies (code, name_vi, name_en) VALUES ($1, $2, $3) \
                 ON CONFLICT (code) DO UPDATE SET name_vi = excluded.name_vi, name_en = excluded.name_en",
            )
            .bind(code)
            .bind(&name.vi)
            .bind(&name.en)
            .execute(&mut *tx)
            .await?;
        });
        Ok(())
    }

    /// Every agency of the directory, by code.
    pub async fn agencies(&self) -> Result<Vec<(String, form_core::Text)>, sqlx::Error> {
        read!(self, |pool| {
            let rows = sqlx::query("SELECT code, name_vi, name_en FROM agencies ORDER BY code")
                .fetch_all(pool)
                .await?;
            rows.iter()
                .map(|r| {
                    Ok((
                        r.try_get("code")?,
                        form_core::Text::new(
                            r.try_get::<String, _>("name_vi")?,
                            r.try_get::<String, _>("name_en")?,
                        ),
                    ))
                })
                .collect()
        })
    }

    // --- sign-ins through the identity provider ---

    /// Remembers a sign-in started at `now` (and forgets those older than `max_age_ms`).
    pub async fn start_login(
        &self,
        login: &LoginRow,
        now: i64,
        max_age_ms: i64,
    ) -> Result<(), sqlx::Error> {
        write_tx!(self, |tx| {
            sqlx::query("DELETE FROM oidc_logins WHERE created_at < $1")
                .bind(now - max_age_ms)
                .execute(&mut *tx)
                .await?;
            sqlx::query(
                "INSERT INTO oidc_logins (state_hash, verifier, nonce, next_path, created_at) \
                 VALUES ($1, $2, $3, $4, $5)",
            )
            .bind(&login.state_hash)
            .bind(&login.verifier)
            .bind(&login.nonce)
            .bind(&login.next)
            .bind(now)
            .execute(&mut *tx)
            .await?;
        });
        Ok(())
    }

    /// Takes a sign-in in flight: it can be finished once only.
    pub async fn take_login(&self, state_hash: &str) -> Result<Option<LoginRow>, sqlx::Error> {
        // One statement: two callbacks at once cannot both take it.
        let login = write_tx!(self, |tx| {
            let row = sqlx::query(
                "DELETE FROM oidc_logins WHERE state_hash = $1 \
                 RETURNING state_hash, verifier, nonce, next_path, created_at",
            )
            .bind(state_hash)
            .fetch_optional(&mut *tx)
            .await?;
            row.map(|r| LoginRow::from_row(&r)).transpose()?
        });
        Ok(login)
    }

    pub async fn delete_session(&self, token_hash: &str) -> Result<(), sqlx::Error> {
        write_tx!(self, |tx| {
            sqlx::query("DELETE FROM sessions WHERE token_hash = $1")
                .bind(token_hash)
                .execute(&mut *tx)
                .await?;
        });
        Ok(())
    }
}

/// An official provisioned by an administrator.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OfficialRow {
    pub personal_id: String,
    pub agency_code: String,
    pub name: String,
    pub added_at: i64,
}

/// One entry of the access audit: who read what, when.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AccessRow {
    pub at: i64,
    pub actor_id: String,
    pub agency_code: Option<String>,
    /// `read`, `download`, `signed-content`, `signed-signature`, `signed-validation-report`,
    /// `attachment`.
    pub action: String,
    pub dossier_code: Option<String>,
    /// What else names the thing read (an attachment's SHA-256, a version).
    pub object: Option<String>,
}

/// A session as stored (no `Debug`: it holds an ID token).
#[derive(Clone)]
pub struct SessionRow {
    pub user: UserRow,
    /// When the session was last used (milliseconds; recorded at most once a minute).
    pub last_seen: i64,
    /// The identity provider's ID token of the sign-in (none for development sessions).
    pub id_token: Option<String>,
}

/// A sign-in through the identity provider, between the redirect there and the way back (no
/// `Debug`: it holds the PKCE verifier).
#[derive(Clone)]
pub struct LoginRow {
    /// SHA-256 (hex) of the `state` parameter.
    pub state_hash: String,
    /// The PKCE code verifier.
    pub verifier: String,
    pub nonce: String,
    /// Where to go after signing in (a local path).
    pub next: String,
    pub created_at: i64,
}

impl LoginRow {
    pub(super) fn from_row<R: Row>(r: &R) -> Result<Self, sqlx::Error>
    where
        for<'a> &'a str: sqlx::ColumnIndex<R>,
        String: for<'a> sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
        i64: for<'a> sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
    {
        Ok(LoginRow {
            state_hash: r.try_get("state_hash")?,
            verifier: r.try_get("verifier")?,
            nonce: r.try_get("nonce")?,
            next: r.try_get("next_path")?,
            created_at: r.try_get("created_at")?,
        })
    }
}

/// A user as stored: citizen or official.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UserRow {
    pub id: String,
    /// `citizen` or `official`.
    pub role: String,
    pub name: String,
    pub agency_code: Option<String>,
    pub personal_id: Option<String>,
}

impl UserRow {
    pub(super) fn from_row<R: Row>(r: &R) -> Result<Self, sqlx::Error>
    where
        for<'a> &'a str: sqlx::ColumnIndex<R>,
        String: for<'a> sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
    {
        Ok(UserRow {
            id: r.try_get("id")?,
            role: r.try_get("role")?,
            name: r.try_get("name")?,
            agency_code: r.try_get("agency_code")?,
            personal_id: r.try_get("personal_id")?,
        })
    }
}
