//! A private CUPS scheduler for the printing tests (the CLI's and the desktop app's): `cupsd`
//! from the system packages with its own configuration, socket and spool in a temp dir, so the
//! machine's printers are never touched, and one queue whose backend writes each job to a
//! file. Point `lp` at it with `CUPS_SERVER` ([`PrivateCups::server`]). Included by path
//! (`#[path]`) into each test crate that prints.

use std::path::{Path, PathBuf};
use std::process::{Child, Command};
use std::time::{Duration, Instant};

/// The queue's name.
pub const QUEUE: &str = "Tessera-Test";

pub struct PrivateCups {
    dir: tempfile::TempDir,
    cupsd: Child,
}

impl PrivateCups {
    /// Starts the scheduler and adds the queue; returns once CUPS answers.
    pub fn start() -> PrivateCups {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        for sub in ["spool", "tmp", "cache", "state", "out", "bin/backend"] {
            std::fs::create_dir_all(d.join(sub)).unwrap();
        }
        // The queue's backend runs as CUPS's own user: it must reach the output folder.
        for open in ["tmp", "out"] {
            set_mode(&d.join(open), 0o777);
        }
        set_mode(d, 0o755);
        // The system's filters and helpers, and our backend beside them.
        for entry in std::fs::read_dir("/usr/lib/cups").unwrap() {
            let entry = entry.unwrap();
            if entry.file_name() != "backend" {
                std::os::unix::fs::symlink(entry.path(), d.join("bin").join(entry.file_name()))
                    .unwrap();
            }
        }
        let backend = d.join("bin/backend/tofile");
        std::fs::write(
            &backend,
            "#!/bin/sh\n\
             # Writes each job to the file its device URI names (tofile:/path).\n\
             if [ $# -eq 0 ]; then echo 'direct tofile \"Unknown\" \"To a file\"'; exit 0; fi\n\
             out=\"${DEVICE_URI#tofile:}\"\n\
             if [ -n \"$6\" ]; then cat \"$6\" > \"$out.part\"; else cat > \"$out.part\"; fi\n\
             mv \"$out.part\" \"$out\"\n\
             # The test waits on this pipe: a signal, not a guess.\n\
             echo printed > \"$out.done\"\n",
        )
        .unwrap();
        set_mode(&backend, 0o755);
        let socket = d.join("cups.sock");
        std::fs::write(
            d.join("cupsd.conf"),
            format!(
                "Listen {}\nLogLevel warn\nDefaultAuthType None\nWebInterface No\n\
                 <Location />\n  Order allow,deny\n  Allow all\n</Location>\n\
                 <Policy default>\n  <Limit All>\n    Order deny,allow\n  </Limit>\n</Policy>\n",
                socket.display()
            ),
        )
        .unwrap();
        let p = |sub: &str| d.join(sub).display().to_string();
        std::fs::write(
            d.join("cups-files.conf"),
            format!(
                "ServerRoot {}\nRequestRoot {}\nTempDir {}\nCacheDir {}\nStateDir {}\n\
                 ServerBin {}\nDataDir /usr/share/cups\nErrorLog {}\nAccessLog {}\n\
                 PageLog {}\nSandboxing Relaxed\n",
                p(""),
                p("spool"),
                p("tmp"),
                p("cache"),
                p("state"),
                p("bin"),
                p("error_log"),
                p("access_log"),
                p("page_log"),
            ),
        )
        .unwrap();
        let cupsd = Command::new("/usr/sbin/cupsd")
            .arg("-f")
            .arg("-c")
            .arg(d.join("cupsd.conf"))
            .arg("-s")
            .arg(d.join("cups-files.conf"))
            .spawn()
            .expect("cupsd (scripts/setup-system.sh installs cups-daemon)");
        let cups = PrivateCups { dir, cupsd };
        let done = cups.done_pipe();
        let made = Command::new("mkfifo")
            .arg("-m")
            .arg("666")
            .arg(&done)
            .status();
        assert!(made.is_ok_and(|s| s.success()), "mkfifo {}", done.display());
        // The queue is added as soon as the scheduler listens, and made the default printer
        // (what the app prints to when the till names none).
        let device = format!("tofile:{}", cups.output().display());
        cups.retry("the scheduler to take the queue", || {
            cups.command("lpadmin")
                .args(["-p", QUEUE, "-E", "-v", &device, "-m", "raw"])
                .output()
                .is_ok_and(|o| o.status.success())
        });
        let made_default = cups.command("lpadmin").args(["-d", QUEUE]).output();
        assert!(
            made_default.is_ok_and(|o| o.status.success()),
            "lpadmin -d {QUEUE}"
        );
        cups
    }

    pub fn server(&self) -> String {
        self.dir.path().join("cups.sock").display().to_string()
    }

    fn output(&self) -> PathBuf {
        self.dir.path().join("out/job.pdf")
    }

    fn command(&self, program: &str) -> Command {
        let mut command = Command::new(program);
        command.env("CUPS_SERVER", self.server());
        command
    }

    fn done_pipe(&self) -> PathBuf {
        self.dir.path().join("out/job.pdf.done")
    }

    /// What the queue wrote for the next job, once its backend says so on the pipe (within
    /// 20 s, or the test fails with the scheduler's log).
    pub fn next_job(&self) -> Vec<u8> {
        let pipe = self.done_pipe();
        let (said, heard) = std::sync::mpsc::channel();
        // Opening a pipe for reading waits for its writer: a thread waits, the test keeps
        // its deadline.
        std::thread::spawn(move || {
            let _ = said.send(std::fs::read_to_string(pipe));
        });
        match heard.recv_timeout(Duration::from_secs(20)) {
            Ok(Ok(_)) => std::fs::read(self.output()).expect("the job's file"),
            _ => panic!("no job reached the queue; CUPS said: {}", self.log()),
        }
    }

    /// Retries `attempt` (each a round trip to the scheduler, which fails until it listens)
    /// for up to 20 s.
    fn retry(&self, what: &str, mut attempt: impl FnMut() -> bool) {
        let deadline = Instant::now() + Duration::from_secs(20);
        while !attempt() {
            assert!(
                Instant::now() < deadline,
                "waited for {what}; CUPS said: {}",
                self.log()
            );
        }
    }

    fn log(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("error_log")).unwrap_or_default()
    }
}

impl Drop for PrivateCups {
    fn drop(&mut self) {
        let _ = self.cupsd.kill();
        let _ = self.cupsd.wait();
    }
}

fn set_mode(path: &Path, mode: u32) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).unwrap();
}
