//! What the operating system tells us about the user running the program.

/// A user's login and full name (the GECOS field's first part, may be empty).
pub struct UnixUser {
    pub login: String,
    pub full_name: String,
}

/// The real user running this program (what `SO_PEERCRED` will give the server, too).
pub fn current_user() -> Option<UnixUser> {
    // SAFETY: getuid cannot fail.
    user_of_uid(unsafe { libc::getuid() })
}

/// Looks a uid up in the user database (getpwuid_r: thread-safe).
pub fn user_of_uid(uid: libc::uid_t) -> Option<UnixUser> {
    lookup_uid(uid).ok().flatten()
}

/// The same, telling "no such user" (None) from a lookup that failed (out of descriptors while
/// reading /etc/passwd, say), which must not be taken for the first.
pub fn lookup_uid(uid: libc::uid_t) -> std::io::Result<Option<UnixUser>> {
    let mut buf = vec![0 as libc::c_char; 16 * 1024];
    // SAFETY: passwd is plain old data; zeroed is a valid value before getpwuid_r fills it.
    let mut pwd: libc::passwd = unsafe { std::mem::zeroed() };
    let mut result: *mut libc::passwd = std::ptr::null_mut();
    // SAFETY: every pointer is valid for the call; `buf` outlives every use of `pwd`.
    let rc = unsafe { libc::getpwuid_r(uid, &mut pwd, buf.as_mut_ptr(), buf.len(), &mut result) };
    if rc != 0 {
        return Err(std::io::Error::from_raw_os_error(rc));
    }
    if result.is_null() || pwd.pw_name.is_null() {
        return Ok(None);
    }
    // SAFETY: the strings point into `buf` and are NUL-terminated by getpwuid_r.
    let text = |p: *const libc::c_char| {
        if p.is_null() {
            String::new()
        } else {
            unsafe { std::ffi::CStr::from_ptr(p) }
                .to_string_lossy()
                .into_owned()
        }
    };
    let gecos = text(pwd.pw_gecos);
    Ok(Some(UnixUser {
        login: text(pwd.pw_name),
        full_name: gecos.split(',').next().unwrap_or("").trim().to_string(),
    }))
}

/// Looks a group name up (getgrnam_r: thread-safe).
pub fn gid_of(name: &str) -> Option<libc::gid_t> {
    let cname = std::ffi::CString::new(name).ok()?;
    let mut buf = vec![0 as libc::c_char; 16 * 1024];
    // SAFETY: group is plain old data; zeroed is valid before getgrnam_r fills it.
    let mut grp: libc::group = unsafe { std::mem::zeroed() };
    let mut result: *mut libc::group = std::ptr::null_mut();
    // SAFETY: every pointer is valid for the call and `buf` outlives it.
    let rc = unsafe {
        libc::getgrnam_r(
            cname.as_ptr(),
            &mut grp,
            buf.as_mut_ptr(),
            buf.len(),
            &mut result,
        )
    };
    (rc == 0 && !result.is_null()).then_some(grp.gr_gid)
}

/// A directory for files with full identifiers (snapshots, documents): created 0700 (with any
/// missing parents), or, when it exists open to group or others, tightened to 0700: these are
/// our own directories, and a file inside stays private only if nobody else may list, rename or
/// replace it. Returns whether it had to be tightened; an error names the directory when it
/// cannot be made private (another user's directory).
pub fn private_dir(dir: &std::path::Path) -> std::io::Result<bool> {
    use std::os::unix::fs::{DirBuilderExt, PermissionsExt};
    match std::fs::metadata(dir) {
        Ok(m) if m.is_dir() => {
            let mode = m.permissions().mode() & 0o777;
            if mode & 0o077 == 0 {
                return Ok(false);
            }
            std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700)).map_err(|e| {
                std::io::Error::new(
                    e.kind(),
                    format!(
                        "{} is open to other users (mode {mode:o}) and cannot be made 0700: {e}",
                        dir.display()
                    ),
                )
            })?;
            Ok(true)
        }
        Ok(_) => Err(std::io::Error::new(
            std::io::ErrorKind::AlreadyExists,
            format!("{} is not a directory", dir.display()),
        )),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            std::fs::DirBuilder::new()
                .recursive(true)
                .mode(0o700)
                .create(dir)?;
            Ok(false)
        }
        Err(e) => Err(e),
    }
}

/// Lowers the calling thread's scheduling priority (nice 10): for long background work such as
/// a snapshot, so the saves running beside it keep the CPU. On Linux the nice value is per
/// thread; lowering it needs no privilege (raising it back would), so call it on a thread of
/// its own.
pub fn lower_this_thread_priority() {
    // SAFETY: setpriority has no memory effects; a failure only leaves the priority as it was.
    unsafe {
        libc::setpriority(libc::PRIO_PROCESS, 0, 10);
    }
}
