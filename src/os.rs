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
