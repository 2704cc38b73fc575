package generator

import (
	"bytes"
	"fmt"
	"strconv"
	"strings"
)

// BasePath is where a project keeps the exact bytes of its last generation:
// the "base" side of the three-way merge an upgrade performs.
const BasePath = ".wsqgen/base.txtar"

// archiveMagic starts every base archive. The format is txtar-like so a
// person can read it, but every file header carries the byte length of its
// content, so no content (a README quoting "-- x --", a file without a final
// newline) can be mistaken for a header.
const archiveMagic = "wsqgen base archive v1\n"

// MarshalArchive writes files in path order. Modes and owners are not
// stored: the record holds owners, and modes follow from paths.
func MarshalArchive(files []File) []byte {
	var buf bytes.Buffer
	buf.WriteString(archiveMagic)
	for _, f := range files {
		fmt.Fprintf(&buf, "-- %s %d --\n", f.Path, len(f.Data))
		buf.Write(f.Data)
		buf.WriteByte('\n')
	}
	return buf.Bytes()
}

// ParseArchive reads what MarshalArchive wrote.
func ParseArchive(data []byte) (map[string][]byte, error) {
	if !bytes.HasPrefix(data, []byte(archiveMagic)) {
		return nil, fmt.Errorf("base archive: not a wsqgen base archive")
	}
	rest := data[len(archiveMagic):]
	out := map[string][]byte{}
	for len(rest) > 0 {
		nl := bytes.IndexByte(rest, '\n')
		if nl < 0 {
			return nil, fmt.Errorf("base archive: truncated header %q", rest)
		}
		header := string(rest[:nl])
		rest = rest[nl+1:]
		if !strings.HasPrefix(header, "-- ") || !strings.HasSuffix(header, " --") {
			return nil, fmt.Errorf("base archive: bad header %q", header)
		}
		fields := strings.TrimSuffix(strings.TrimPrefix(header, "-- "), " --")
		sp := strings.LastIndexByte(fields, ' ')
		if sp < 0 {
			return nil, fmt.Errorf("base archive: bad header %q", header)
		}
		path := fields[:sp]
		n, err := strconv.Atoi(fields[sp+1:])
		if err != nil || n < 0 || n+1 > len(rest) || rest[n] != '\n' {
			return nil, fmt.Errorf("base archive: bad length in header %q", header)
		}
		if _, dup := out[path]; dup {
			return nil, fmt.Errorf("base archive: %s appears twice", path)
		}
		out[path] = rest[:n:n]
		rest = rest[n+1:]
	}
	return out, nil
}
