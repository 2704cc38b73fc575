package gateway

import (
	"bufio"
	"encoding/binary"
	"net"
	"net/http"
	"sync"
)

// coder/websocket enforces a message size limit but not a frame size
// limit, while API Gateway refuses any single frame over 32 KB. The
// hijacked connection is therefore wrapped in a reader that watches the
// client's frame headers as they pass and reports an oversize frame before
// its payload is delivered as a message.

type sniffWriter struct {
	http.ResponseWriter
	limit  int
	onBig  func()
	hooked *sniffConn
}

func (w *sniffWriter) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	hj := w.ResponseWriter.(http.Hijacker)
	c, brw, err := hj.Hijack()
	if err != nil {
		return nil, nil, err
	}
	pre, _ := brw.Reader.Peek(brw.Reader.Buffered())
	sc := &sniffConn{Conn: c, pre: append([]byte(nil), pre...), limit: uint64(w.limit), onBig: w.onBig}
	w.hooked = sc
	return sc, bufio.NewReadWriter(bufio.NewReader(sc), brw.Writer), nil
}

type sniffConn struct {
	net.Conn
	pre   []byte
	limit uint64
	onBig func()
	once  sync.Once

	hdr  [14]byte
	hlen int    // header bytes collected
	left uint64 // payload bytes still to skip
}

func (c *sniffConn) Read(b []byte) (int, error) {
	var n int
	var err error
	if len(c.pre) > 0 {
		n = copy(b, c.pre)
		c.pre = c.pre[n:]
	} else {
		n, err = c.Conn.Read(b)
	}
	c.scan(b[:n])
	return n, err
}

func (c *sniffConn) scan(p []byte) {
	for len(p) > 0 {
		if c.left > 0 {
			skip := uint64(len(p))
			if skip > c.left {
				skip = c.left
			}
			c.left -= skip
			p = p[skip:]
			continue
		}
		c.hdr[c.hlen] = p[0]
		c.hlen++
		p = p[1:]
		if c.hlen < 2 {
			continue
		}
		size := 2
		l7 := c.hdr[1] & 0x7f
		switch l7 {
		case 126:
			size += 2
		case 127:
			size += 8
		}
		if c.hdr[1]&0x80 != 0 {
			size += 4
		}
		if c.hlen < size {
			continue
		}
		var plen uint64
		switch l7 {
		case 126:
			plen = uint64(binary.BigEndian.Uint16(c.hdr[2:4]))
		case 127:
			plen = binary.BigEndian.Uint64(c.hdr[2:10])
		default:
			plen = uint64(l7)
		}
		if plen > c.limit && c.onBig != nil {
			c.once.Do(c.onBig)
		}
		c.left = plen
		c.hlen = 0
	}
}
