//! A throwaway PostgreSQL server for tests and benchmarks: a fresh cluster in a temp
//! directory, on a free loopback port, stopped and deleted on drop. As root (CI), the server
//! runs as Debian's `postgres` user (`initdb` refuses root). It speaks TLS too, with a server
//! certificate for 127.0.0.1 from a test CA made here by `openssl` (`ca` is its certificate);
//! the role `tls_only` may connect over TLS only.

use crate::setup;
use anyhow::{Context, Result, bail};
use std::path::PathBuf;
use std::process::{Command, Stdio};

pub struct Postgres {
    dir: PathBuf,
    bin: PathBuf,
    as_postgres: bool,
    /// The server's `postgres` database: `postgres://postgres@127.0.0.1:<port>/postgres`.
    pub url: String,
    /// The test CA's certificate (PEM) that the server's certificate leads to.
    pub ca: PathBuf,
}

impl Postgres {
    /// Starts a server; `durable: false` turns fsync off (quicker tests; a crash of the
    /// portal, which the tests cause, does not lose PostgreSQL's commits either way).
    pub fn start(durable: bool) -> Result<Postgres> {
        let bin = setup::postgres()?;
        let as_postgres = setup::is_root();
        let mut rnd = [0u8; 6];
        std::fs::File::open("/dev/urandom")
            .and_then(|mut f| std::io::Read::read_exact(&mut f, &mut rnd))
            .context("reading /dev/urandom")?;
        let tag: String = rnd.iter().map(|b| format!("{b:02x}")).collect();
        let dir = std::env::temp_dir().join(format!("eform-pg-{tag}"));
        std::fs::create_dir_all(&dir)?;
        let port = std::net::TcpListener::bind("127.0.0.1:0")?
            .local_addr()?
            .port();
        let pg = Postgres {
            url: format!("postgres://postgres@127.0.0.1:{port}/postgres"),
            ca: dir.join("ca.pem"),
            dir,
            bin,
            as_postgres,
        };
        if as_postgres {
            let status = Command::new("chown")
                .args(["postgres:postgres"])
                .arg(&pg.dir)
                .status()?;
            if !status.success() {
                bail!("chown of {} to postgres failed", pg.dir.display());
            }
        }
        let data = pg.dir.join("data");
        pg.run(
            "initdb",
            &[
                "-D",
                &data.display().to_string(),
                "-A",
                "trust",
                "-U",
                "postgres",
                "-E",
                "UTF8",
                "--no-locale",
                "--no-sync",
            ],
        )?;
        pg.certificates(&data)?;
        // The role `tls_only`: refused without TLS, before initdb's `trust` lines.
        let hba = data.join("pg_hba.conf");
        let rules = std::fs::read_to_string(&hba).context("reading pg_hba.conf")?;
        std::fs::write(
            &hba,
            format!("hostnossl all tls_only 127.0.0.1/32 reject\n{rules}"),
        )?;
        let mut options = format!(
            "-p {port} -k {} -c listen_addresses=127.0.0.1 -c max_connections=200 -c ssl=on \
             -c ssl_cert_file=server.crt -c ssl_key_file=server.key",
            pg.dir.display()
        );
        if !durable {
            options.push_str(" -c fsync=off -c synchronous_commit=off");
        }
        pg.run(
            "pg_ctl",
            &[
                "-D",
                &data.display().to_string(),
                "-l",
                &pg.dir.join("log").display().to_string(),
                "-w",
                "-o",
                &options,
                "start",
            ],
        )?;
        pg.run(
            "psql",
            &[
                "-h",
                "127.0.0.1",
                "-p",
                &port.to_string(),
                "-U",
                "postgres",
                "-c",
                "CREATE ROLE tls_only LOGIN SUPERUSER",
            ],
        )?;
        println!("PostgreSQL at {} (data in {})", pg.url, pg.dir.display());
        Ok(pg)
    }

    /// A test CA and the server's certificate for 127.0.0.1 and localhost (P-256), in the data
    /// folder (the key readable by the server's user only).
    fn certificates(&self, data: &std::path::Path) -> Result<()> {
        let openssl = |args: &[&str]| -> Result<()> {
            let out = Command::new("openssl")
                .args(args)
                .current_dir(&self.dir)
                .stdin(Stdio::null())
                .output()
                .context("running openssl")?;
            if !out.status.success() {
                bail!("openssl {args:?}: {}", String::from_utf8_lossy(&out.stderr));
            }
            Ok(())
        };
        let ec = [
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:P-256",
            "-nodes",
        ];
        let mut ca = vec!["req", "-x509"];
        ca.extend(ec);
        ca.extend([
            "-keyout",
            "ca.key",
            "-out",
            "ca.pem",
            "-days",
            "3650",
            "-subj",
            "/CN=eform test CA",
        ]);
        openssl(&ca)?;
        let mut csr = vec!["req"];
        csr.extend(ec);
        csr.extend([
            "-keyout",
            "server.key",
            "-out",
            "server.csr",
            "-subj",
            "/CN=127.0.0.1",
        ]);
        openssl(&csr)?;
        std::fs::write(
            self.dir.join("san.ext"),
            "subjectAltName=IP:127.0.0.1,DNS:localhost\n",
        )?;
        openssl(&[
            "x509",
            "-req",
            "-in",
            "server.csr",
            "-CA",
            "ca.pem",
            "-CAkey",
            "ca.key",
            "-CAcreateserial",
            "-out",
            "server.crt",
            "-days",
            "3650",
            "-extfile",
            "san.ext",
        ])?;
        for f in ["server.crt", "server.key"] {
            std::fs::rename(self.dir.join(f), data.join(f))?;
        }
        let key = data.join("server.key").display().to_string();
        let crt = data.join("server.crt").display().to_string();
        let mut chmod = Command::new("chmod");
        chmod.args(["600", &key]);
        crate::exec(chmod)?;
        if self.as_postgres {
            let mut chown = Command::new("chown");
            chown.args(["postgres:postgres", &key, &crt]);
            crate::exec(chown)?;
        }
        Ok(())
    }

    fn command(&self, program: &str) -> Command {
        let path = self.bin.join(program);
        if self.as_postgres {
            let mut c = Command::new("runuser");
            c.args(["-u", "postgres", "--"]).arg(path);
            c
        } else {
            Command::new(path)
        }
    }

    fn run(&self, program: &str, args: &[&str]) -> Result<()> {
        let out = self
            .command(program)
            .args(args)
            .current_dir(&self.dir)
            .stdin(Stdio::null())
            .output()
            .with_context(|| format!("running {program}"))?;
        if !out.status.success() {
            bail!(
                "{program} failed: {}{}",
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            );
        }
        Ok(())
    }
}

impl Drop for Postgres {
    fn drop(&mut self) {
        let data = self.dir.join("data").display().to_string();
        let _ = self.run("pg_ctl", &["-D", &data, "-m", "immediate", "-w", "stop"]);
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}
