#!/bin/sh
# uml-init.sh - process 1 of the user-mode Linux guest that uml-run.sh boots.
#
# The guest's root is the host's / as read-only hostfs. This script puts a
# tmpfs overlay on top of it (so the guest can write anywhere and the host's
# files stay untouched), mounts the run's share directory read-write at its
# host path (and the --rw directories), mounts the kernel's filesystems,
# points /lib/modules at the UML kernel's modules, then runs the command
# script the host wrote (share/cmd.sh) in a chroot of that tree. Its status
# goes back through the share directory; then the guest powers off.
#
# The kernel command line gives UML_RUN (the host run directory, without
# spaces). Nothing here may write to the hostfs root itself.
PATH=/usr/sbin:/usr/bin:/sbin:/bin
export PATH
echo "uml-init: started"

die() {
	echo "uml-init: $*"
	echo o > /proc/sysrq-trigger
	sleep 10
}

R=$UML_RUN
S=$R/share
M=$R/mnt
kver=$(uname -r)
mods=/usr/lib/uml/modules/$kver

mount -t proc proc /proc || die "cannot mount /proc"
mount -t tmpfs -o mode=0755 tmpfs "$M" || die "cannot mount tmpfs on $M"
mkdir "$M/upper" "$M/work" "$M/root"
insmod "$mods/kernel/fs/overlayfs/overlay.ko" || die "cannot load overlay"
N=$M/root
mount -t overlay -o "lowerdir=/,upperdir=$M/upper,workdir=$M/work" \
	overlay "$N" || die "cannot mount the overlay root"
mount -t hostfs -o "$S" none "$N$S" || die "cannot mount hostfs $S"
# --rw directories: one host path a line, mounted read-write at that path.
if [ -s "$S/rw" ]; then
	while IFS= read -r d; do
		mount -t hostfs -o "$d" none "$N$d" ||
			die "cannot mount hostfs $d"
	done < "$S/rw"
fi

mount -t proc proc "$N/proc"
mount -t sysfs sysfs "$N/sys"
mount -t devtmpfs devtmpfs "$N/dev"
mkdir -p "$N/dev/pts" "$N/dev/shm"
mount -t devpts -o newinstance,ptmxmode=0666 devpts "$N/dev/pts"
mount -t tmpfs -o mode=1777 tmpfs "$N/dev/shm"
mount -t tmpfs -o mode=0755 tmpfs "$N/run"
mkdir -p "$N/run/netns" "$N/run/lock"

# Modules: the host's /lib/modules has no entry for the UML kernel; the
# overlay makes one (and depmod, if the package's tree lacks modules.dep,
# writes only to the overlay).
mkdir -p "$N/usr/lib/modules"
ln -sfn "$mods" "$N/usr/lib/modules/$kver"
[ -e "$mods/modules.dep" ] || chroot "$N" depmod "$kver" ||
	die "depmod failed"
# The kernel's own module requests (crypto algorithms, netlink families)
# run its modprobe path from the boot root, the read-only host tree: a
# wrapper in the share directory (seen in both trees) goes to the overlay.
cat > "$N$S/modprobe" <<EOW
#!/bin/sh
[ -d /usr/lib/modules/$kver ] && exec /sbin/modprobe "\$@"
exec /usr/sbin/chroot "$N" /sbin/modprobe "\$@"
EOW
chmod 0755 "$N$S/modprobe"
echo "$S/modprobe" > /proc/sys/kernel/modprobe
chroot "$N" modprobe tun || die "cannot load tun"

echo "uml-init: running"
chroot "$N" /bin/sh "$S/cmd.sh" < /dev/null > "$N$S/stdout" 2> "$N$S/stderr"
echo $? > "$N$S/status.tmp"
mv "$N$S/status.tmp" "$N$S/status"
sync
echo o > /proc/sysrq-trigger
sleep 10
