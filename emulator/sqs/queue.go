package sqs

import (
	"crypto/md5"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"strconv"
	"sync"
	"time"
)

// DedupWindow is the FIFO deduplication interval.
const DedupWindow = 5 * time.Minute

// Config describes one queue.
type Config struct {
	Name              string // queue name; FIFO names end in ".fifo"
	Region, Account   string // for the ARN
	FIFO              bool
	ContentDedup      bool
	VisibilityTimeout time.Duration
	MaxMessageSize    int // 0 means DefaultMaxMessageSize
	// MaxReceiveCount > 0 enables the redrive policy: a message received
	// that many times is moved to DLQ on its next receive.
	MaxReceiveCount int
	DLQ             *Queue
	// OnDeadLetter, if set, is told about each message moved to the DLQ
	// (called without the queue's lock held).
	OnDeadLetter func(Message)
	// Now is the clock; nil means time.Now. Tests pass a fake clock.
	Now func() time.Time
}

// Message is a stored message.
type Message struct {
	ID             string
	Body           string
	MD5OfBody      string
	MD5OfAttrs     string // "" when there are no attributes
	GroupID        string
	DedupID        string
	SequenceNumber string
	Attributes     []Attribute
	TraceHeader    string
	SentAt         time.Time
	FirstReceiveAt time.Time
	ReceiveCount   int

	seq       uint64
	availAt   time.Time // delivery delay
	inFlight  bool
	visibleAt time.Time
	receipt   string
}

// Received is one delivered message: a snapshot plus its receipt handle.
type Received struct {
	Message
	ReceiptHandle string
}

type dedupEntry struct {
	expires time.Time
	id, seq string
}

type dedupExpiry struct {
	key     string
	expires time.Time
}

// Queue is an in-memory SQS queue, standard or FIFO.
type Queue struct {
	cfg Config

	mu      sync.Mutex
	msgs    []*Message // in send order
	dedup   map[string]dedupEntry
	expiry  []dedupExpiry // dedup keys in insertion (so expiry) order
	nextSeq uint64
	changed chan struct{} // closed and replaced on every state change
	stats   Stats
}

// Stats counts queue traffic since start.
type Stats struct {
	Sent, Duplicates, Received, Deleted, DeadLettered int
}

// New creates a queue.
func New(cfg Config) *Queue {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Region == "" {
		cfg.Region = "us-east-1"
	}
	if cfg.Account == "" {
		cfg.Account = "000000000000"
	}
	return &Queue{
		cfg:     cfg,
		dedup:   map[string]dedupEntry{},
		nextSeq: 10000000000000000000,
		changed: make(chan struct{}),
	}
}

// Config returns the queue's configuration.
func (q *Queue) Config() Config { return q.cfg }

// ARN returns the queue ARN.
func (q *Queue) ARN() string {
	return fmt.Sprintf("arn:aws:sqs:%s:%s:%s", q.cfg.Region, q.cfg.Account, q.cfg.Name)
}

// Kind returns what SendMessage validation needs.
func (q *Queue) Kind() QueueKind {
	return QueueKind{FIFO: q.cfg.FIFO, ContentDedup: q.cfg.ContentDedup, MaxMessageSize: q.cfg.MaxMessageSize}
}

// Changed returns a channel closed at the next state change (send, delete,
// receive), so a poller can sleep without spinning.
func (q *Queue) Changed() <-chan struct{} {
	q.mu.Lock()
	defer q.mu.Unlock()
	return q.changed
}

func (q *Queue) notifyLocked() {
	close(q.changed)
	q.changed = make(chan struct{})
}

// SendResult is what SendMessage returns.
type SendResult struct {
	MessageID      string
	MD5OfBody      string
	MD5OfAttrs     string
	SequenceNumber string
	Duplicate      bool // accepted but not enqueued (FIFO deduplication)
}

// Send enqueues a validated request. On a FIFO queue a deduplication id
// (explicit, or the body's SHA-256 with content-based deduplication) seen
// in the last five minutes is accepted and answered with the original
// message id but not enqueued again; deleting a message does not forget
// its deduplication id.
func (q *Queue) Send(r *SendRequest) SendResult {
	q.mu.Lock()
	defer q.mu.Unlock()
	now := q.cfg.Now()
	res := SendResult{MD5OfBody: md5Hex([]byte(r.Body)), MD5OfAttrs: AttributesMD5(r.Attributes)}
	var dedupKey string
	if q.cfg.FIFO {
		q.expireDedupLocked(now)
		dedupKey = r.DedupID
		if dedupKey == "" {
			sum := sha256.Sum256([]byte(r.Body))
			dedupKey = hex.EncodeToString(sum[:])
		}
		if e, ok := q.dedup[dedupKey]; ok && now.Before(e.expires) {
			res.MessageID, res.SequenceNumber, res.Duplicate = e.id, e.seq, true
			q.stats.Duplicates++
			return res
		}
	}
	m := &Message{
		ID:          newUUID(),
		Body:        r.Body,
		MD5OfBody:   res.MD5OfBody,
		MD5OfAttrs:  res.MD5OfAttrs,
		GroupID:     r.GroupID,
		DedupID:     r.DedupID,
		Attributes:  r.Attributes,
		TraceHeader: r.TraceHeader,
		SentAt:      now,
		seq:         q.nextSeq,
		availAt:     now.Add(time.Duration(r.DelaySeconds) * time.Second),
	}
	q.nextSeq++
	if q.cfg.FIFO {
		m.SequenceNumber = strconv.FormatUint(m.seq, 10)
		if m.DedupID == "" {
			m.DedupID = dedupKey
		}
		exp := now.Add(DedupWindow)
		q.dedup[dedupKey] = dedupEntry{expires: exp, id: m.ID, seq: m.SequenceNumber}
		q.expiry = append(q.expiry, dedupExpiry{dedupKey, exp})
	}
	q.msgs = append(q.msgs, m)
	q.stats.Sent++
	res.MessageID, res.SequenceNumber = m.ID, m.SequenceNumber
	q.notifyLocked()
	return res
}

// expireDedupLocked forgets deduplication ids whose window has passed.
// Keys are kept in insertion order, so only the expired head is visited
// (a full scan on every send made FIFO sends O(window) under load).
func (q *Queue) expireDedupLocked(now time.Time) {
	i := 0
	for ; i < len(q.expiry) && !now.Before(q.expiry[i].expires); i++ {
		k := q.expiry[i]
		if e, ok := q.dedup[k.key]; ok && e.expires.Equal(k.expires) {
			delete(q.dedup, k.key)
		}
	}
	if i > 0 {
		q.expiry = q.expiry[i:]
		if cap(q.expiry) > 1024 && len(q.expiry) < cap(q.expiry)/4 {
			q.expiry = append([]dedupExpiry(nil), q.expiry...)
		}
	}
}

// Receive returns up to max visible messages and makes them invisible for
// the visibility timeout. On a FIFO queue messages come in group order and
// a group with a message in flight delivers nothing until that message is
// deleted or visible again. A message already received MaxReceiveCount
// times is moved to the dead-letter queue instead of being delivered.
func (q *Queue) Receive(max int) []Received {
	q.mu.Lock()
	defer q.mu.Unlock()
	now := q.cfg.Now()
	locked := map[string]bool{}
	for _, m := range q.msgs {
		if m.inFlight && !now.Before(m.visibleAt) {
			m.inFlight = false
		}
		if m.inFlight && q.cfg.FIFO {
			locked[m.GroupID] = true
		}
	}
	var out []Received
	var keep []*Message
	var moved []Message
	for i, m := range q.msgs {
		if len(out) >= max {
			keep = append(keep, q.msgs[i:]...)
			break
		}
		if m.inFlight || now.Before(m.availAt) || (q.cfg.FIFO && locked[m.GroupID]) {
			if q.cfg.FIFO && !m.inFlight {
				// A later message of this group must wait for this one.
				locked[m.GroupID] = true
			}
			keep = append(keep, m)
			continue
		}
		if q.cfg.MaxReceiveCount > 0 && q.cfg.DLQ != nil && m.ReceiveCount >= q.cfg.MaxReceiveCount {
			q.cfg.DLQ.deadLetter(m, now, q.cfg.FIFO)
			q.stats.DeadLettered++
			moved = append(moved, *m)
			continue
		}
		m.ReceiveCount++
		if m.FirstReceiveAt.IsZero() {
			m.FirstReceiveAt = now
		}
		m.inFlight = true
		m.visibleAt = now.Add(q.cfg.VisibilityTimeout)
		m.receipt = newReceipt()
		out = append(out, Received{Message: *m, ReceiptHandle: m.receipt})
		keep = append(keep, m)
	}
	q.msgs = keep
	q.stats.Received += len(out)
	if len(out) > 0 || len(moved) > 0 {
		q.notifyLocked()
	}
	if q.cfg.OnDeadLetter != nil && len(moved) > 0 {
		q.mu.Unlock()
		for _, m := range moved {
			q.cfg.OnDeadLetter(m)
		}
		q.mu.Lock()
	}
	return out
}

// deadLetter stores m in this (dead-letter) queue. A standard queue keeps
// the original send time; a FIFO queue's dead-letter copy gets a new one.
func (q *Queue) deadLetter(m *Message, now time.Time, fifo bool) {
	q.mu.Lock()
	defer q.mu.Unlock()
	c := *m
	c.inFlight, c.receipt = false, ""
	c.availAt = now
	c.seq = q.nextSeq
	q.nextSeq++
	if fifo {
		c.SentAt = now
		c.SequenceNumber = strconv.FormatUint(c.seq, 10)
	}
	q.msgs = append(q.msgs, &c)
	q.stats.Sent++
	q.notifyLocked()
}

// ErrReceiptHandleIsInvalid mirrors SQS's error for a stale handle.
var ErrReceiptHandleIsInvalid = &Error{Status: 400, Code: "ReceiptHandleIsInvalid", Type: "Sender", Message: "The receipt handle provided is not valid."}

// Delete removes the message the receipt handle belongs to. Only the
// handle from the latest receive is valid.
func (q *Queue) Delete(receipt string) error {
	q.mu.Lock()
	defer q.mu.Unlock()
	for i, m := range q.msgs {
		if m.receipt == receipt && receipt != "" {
			q.msgs = append(q.msgs[:i], q.msgs[i+1:]...)
			q.stats.Deleted++
			q.notifyLocked()
			return nil
		}
	}
	return ErrReceiptHandleIsInvalid
}

// NextVisible returns when the earliest invisible message becomes
// visible, so a poller knows how long it may sleep.
func (q *Queue) NextVisible() (time.Time, bool) {
	q.mu.Lock()
	defer q.mu.Unlock()
	var t time.Time
	for _, m := range q.msgs {
		var at time.Time
		switch {
		case m.inFlight:
			at = m.visibleAt
		case m.availAt.After(q.cfg.Now()):
			at = m.availAt
		default:
			continue
		}
		if t.IsZero() || at.Before(t) {
			t = at
		}
	}
	return t, !t.IsZero()
}

// MessageState is a message as the inspection endpoint shows it.
type MessageState struct {
	MessageID      string            `json:"messageId"`
	Body           string            `json:"body"`
	GroupID        string            `json:"messageGroupId,omitempty"`
	DedupID        string            `json:"messageDeduplicationId,omitempty"`
	SequenceNumber string            `json:"sequenceNumber,omitempty"`
	Attributes     map[string]string `json:"messageAttributes,omitempty"`
	SentTimestamp  int64             `json:"sentTimestamp"`
	ReceiveCount   int               `json:"approximateReceiveCount"`
	State          string            `json:"state"` // visible, inflight, delayed
}

// Snapshot is the inspection view of a queue.
type Snapshot struct {
	Name     string         `json:"name"`
	ARN      string         `json:"arn"`
	FIFO     bool           `json:"fifo"`
	Visible  int            `json:"approximateNumberOfMessages"`
	InFlight int            `json:"approximateNumberOfMessagesNotVisible"`
	Delayed  int            `json:"approximateNumberOfMessagesDelayed"`
	Stats    Stats          `json:"stats"`
	Messages []MessageState `json:"messages"`
}

// Snapshot returns the queue's current contents.
func (q *Queue) Snapshot() Snapshot {
	q.mu.Lock()
	defer q.mu.Unlock()
	now := q.cfg.Now()
	s := Snapshot{Name: q.cfg.Name, ARN: q.ARN(), FIFO: q.cfg.FIFO, Stats: q.stats, Messages: []MessageState{}}
	for _, m := range q.msgs {
		st := "visible"
		switch {
		case m.inFlight && now.Before(m.visibleAt):
			st = "inflight"
			s.InFlight++
		case now.Before(m.availAt):
			st = "delayed"
			s.Delayed++
		default:
			s.Visible++
		}
		ms := MessageState{MessageID: m.ID, Body: m.Body, GroupID: m.GroupID, DedupID: m.DedupID,
			SequenceNumber: m.SequenceNumber, SentTimestamp: m.SentAt.UnixMilli(), ReceiveCount: m.ReceiveCount, State: st}
		if len(m.Attributes) > 0 {
			ms.Attributes = map[string]string{}
			for _, a := range m.Attributes {
				if a.BinaryValue != nil {
					ms.Attributes[a.Name] = base64.StdEncoding.EncodeToString(a.BinaryValue)
				} else {
					ms.Attributes[a.Name] = a.StringValue
				}
			}
		}
		s.Messages = append(s.Messages, ms)
	}
	return s
}

// Len returns the number of stored messages (visible, in flight or delayed).
func (q *Queue) Len() int {
	q.mu.Lock()
	defer q.mu.Unlock()
	return len(q.msgs)
}

func md5Hex(b []byte) string {
	s := md5.Sum(b)
	return hex.EncodeToString(s[:])
}

// AttributesMD5 computes MD5OfMessageAttributes as SQS documents it: for
// each attribute sorted by name, the 4-byte big-endian length and bytes of
// the name and of the data type, a transport byte (1 string, 2 binary) and
// the length-prefixed value. "" when there are no attributes.
func AttributesMD5(attrs []Attribute) string {
	if len(attrs) == 0 {
		return ""
	}
	h := md5.New()
	lp := func(b []byte) {
		var n [4]byte
		binary.BigEndian.PutUint32(n[:], uint32(len(b)))
		h.Write(n[:])
		h.Write(b)
	}
	for _, a := range attrs {
		lp([]byte(a.Name))
		lp([]byte(a.DataType))
		if a.BinaryValue != nil {
			h.Write([]byte{2})
			lp(a.BinaryValue)
		} else {
			h.Write([]byte{1})
			lp([]byte(a.StringValue))
		}
	}
	return hex.EncodeToString(h.Sum(nil))
}

func randomBytes(n int) []byte {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic(err) // crypto/rand does not fail on supported platforms
	}
	return b
}

func newUUID() string {
	b := randomBytes(16)
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:])
}

// NewRequestID returns an AWS-style request id (a UUID).
func NewRequestID() string { return newUUID() }

func newReceipt() string {
	return "AQEB" + base64.StdEncoding.EncodeToString(randomBytes(96))
}
