//go:build unix

package main

import "syscall"

// raiseFileLimit lifts the soft open-file limit to the hard one: each
// connection costs two descriptors here (client and gateway end), plus the
// function's connections to the callback API.
func raiseFileLimit(need uint64) (cur uint64, err error) {
	var l syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &l); err != nil {
		return 0, err
	}
	if l.Cur >= need {
		return l.Cur, nil
	}
	l.Cur = l.Max
	if err := syscall.Setrlimit(syscall.RLIMIT_NOFILE, &l); err != nil {
		return 0, err
	}
	return l.Cur, nil
}

// cpuTimes returns the CPU time used by this process and by its waited-for
// children (the function processes, once the emulator has stopped them).
func cpuTimes() (self, children float64) {
	get := func(who int) float64 {
		var ru syscall.Rusage
		if syscall.Getrusage(who, &ru) != nil {
			return 0
		}
		tv := func(t syscall.Timeval) float64 { return float64(t.Sec) + float64(t.Usec)/1e6 }
		return tv(ru.Utime) + tv(ru.Stime)
	}
	return get(syscall.RUSAGE_SELF), get(syscall.RUSAGE_CHILDREN)
}
