package proxy

import (
	"net"
	"sync"
)

// perIPListener caps the connections of one client address: beyond the
// cap an accepted connection gets a 429 and is closed. (fasthttp's own
// MaxConnsPerIP double-closes its connections on shutdown in the version
// Fiber v2 uses, valyala/fasthttp#1987.)
type perIPListener struct {
	net.Listener
	max int

	mu sync.Mutex
	n  map[string]int
}

func limitPerIP(ln net.Listener, max int) net.Listener {
	if max <= 0 {
		return ln
	}
	return &perIPListener{Listener: ln, max: max, n: map[string]int{}}
}

const tooManyConns = "HTTP/1.1 429 Too Many Requests\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: 52\r\nConnection: close\r\n\r\ntoo many connections from your address at once: wait"

func (l *perIPListener) Accept() (net.Conn, error) {
	for {
		c, err := l.Listener.Accept()
		if err != nil {
			return nil, err
		}
		ip := remoteIP(c)
		l.mu.Lock()
		if l.n[ip] >= l.max {
			l.mu.Unlock()
			_, _ = c.Write([]byte(tooManyConns))
			_ = c.Close()
			continue
		}
		l.n[ip]++
		l.mu.Unlock()
		return &perIPConn{Conn: c, release: func() { l.release(ip) }}, nil
	}
}

func (l *perIPListener) release(ip string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.n[ip]--; l.n[ip] <= 0 {
		delete(l.n, ip)
	}
}

func remoteIP(c net.Conn) string {
	if a, ok := c.RemoteAddr().(*net.TCPAddr); ok {
		return a.IP.String()
	}
	host, _, err := net.SplitHostPort(c.RemoteAddr().String())
	if err != nil {
		return c.RemoteAddr().String()
	}
	return host
}

// perIPConn gives its slot back once, however often it is closed.
type perIPConn struct {
	net.Conn
	once    sync.Once
	release func()
}

func (c *perIPConn) Close() error {
	err := c.Conn.Close()
	c.once.Do(c.release)
	return err
}
