package generator

import "strings"

// View is everything a template may read. It is computed in Go from validated
// answers so that templates hold no defaults and no decisions beyond choosing
// between blocks on these fields.
type View struct {
	Version string  // wsqgen version that rendered the project
	Answers Answers // the validated answers, as given

	Name   string // project name, prefix of every AWS resource name
	Module string // Go module path of the generated project

	// Queue.
	FIFO              bool
	GroupBy           string // "connection", "field" or "constant" (FIFO only)
	GroupByConnection bool
	GroupByField      bool
	GroupByConstant   bool
	ConstantGroupID   string // the MessageGroupId used with GroupByConstant
	ContentDedup      bool   // FIFO content-based deduplication
	RequestDedup      bool   // FIFO deduplication by API request id
	QueueSuffix       string // ".fifo" or ""
	VisibilityTimeout int    // seconds, derived from timeout and window
	MessageRetention  int    // seconds, main queue
	DLQRetention      int    // seconds, dead-letter queue
	MaxReceiveCount   int    // receives before a message is dead-lettered

	// Event source mapping.
	BatchSize   int
	BatchWindow int // seconds; always 0 on FIFO

	// Reply behaviour.
	Reply     string // "sender", "broadcast" or "none"
	Sender    bool
	Broadcast bool // needs the DynamoDB connection registry
	NoReply   bool
	Ack       bool // two-way $default route answering with the SQS message id
	// ManageConnections lists the @connections methods the function may call.
	ManageConnections []string

	// IaC tool. Terraform and OpenTofu share the HCL configuration in
	// terraform/; TFCLI is the command the Makefile and README use for it.
	IaC         string
	IaCHCL      bool   // terraform or opentofu
	IaCOpenTofu bool   // opentofu
	IaCSAM      bool   // AWS SAM (template.yaml, samconfig.toml)
	TFCLI       string // "terraform" or "tofu"; "" for other tools

	// Auth.
	IAMAuth bool

	// Function.
	Arch          string // "arm64" or "x86_64"
	GOARCH        string // "arm64" or "amd64"
	Timeout       int    // seconds
	Memory        int    // MB
	LogRetention  int    // days, for every log group
	Runtime       string // "provided.al2023"
	StageName     string // default API stage name
	ThrottleBurst int    // stage default route burst limit
	ThrottleRate  int    // stage default route rate limit (requests/s)

	// Paths of tool-neutral files inside the generated project, so every
	// IaC tool and the local emulator read the same text.
	RequestTemplatePath string
	RequestModelPath    string
	AckTemplatePath     string
	ErrorTemplatePath   string
	FunctionZipPath     string
	// The $connect/$disconnect request templates that maintain the
	// connection registry (broadcast only); tool-neutral like the others.
	ConnectTemplatePath    string
	DisconnectTemplatePath string

	// Connection registry (broadcast only). The $connect template writes a
	// TTL attribute so rows of connections whose $disconnect never arrived
	// (it is best effort) expire; the table's TTL setting names the same
	// attribute, so both read it from here.
	ConnectionTTL          int    // seconds after connect: API Gateway's 2 h connection limit
	ConnectionTTLAttribute string // DynamoDB attribute holding the expiry (epoch seconds)

	// Infrastructure defaults the Terraform variables start from, kept here
	// so that templates hold no numbers of their own.
	DefaultRegion        string // default of the region variable
	IntegrationTimeoutMs int    // API Gateway -> SQS call timeout (API Gateway caps it at 29 s)
	OldestMessageAlarm   int    // seconds: alarm when the oldest queued message is older
	ExecutionLogLevel    string // API Gateway execution logging level (ERROR keeps payloads out of logs)

	// APIFiles holds the rendered text of the files under api/, by base
	// name, for templates that must inline them (CloudFormation has no
	// file()). Filled in by Render before the other files are rendered.
	APIFiles map[string]string

	// Command is the non-interactive wsqgen command that renders the same
	// project again; the README shows it so a project documents its answers.
	Command string
}

// Fixed choices that are not answers (yet). They live here, not in templates.
const (
	messageRetention = 4 * 24 * 3600  // the SQS default, written out explicitly
	dlqRetention     = 14 * 24 * 3600 // the SQS maximum: time to look at failures
	maxReceiveCount  = 5
	logRetentionDays = 30
	stageName        = "prod"
	throttleBurst    = 500
	throttleRate     = 1000
	constantGroupID  = "all"

	connectionTTL          = 2 * 3600 // API Gateway closes every connection after 2 h
	connectionTTLAttribute = "expiresAt"
	defaultRegion          = "us-east-1"
	// SQS answers SendMessage in milliseconds; 10 s bounds a stuck call well
	// inside API Gateway's 29 s limit so the client learns of it sooner.
	integrationTimeoutMs = 10000
	oldestMessageAlarm   = 300
	executionLogLevel    = "ERROR"
)

// NewView derives the template view from validated answers.
func NewView(a Answers, version string) View {
	fifo := a.Queue == "fifo"
	v := View{
		Version:           version,
		Answers:           a,
		Name:              a.Name,
		Module:            a.Module,
		FIFO:              fifo,
		VisibilityTimeout: a.VisibilityTimeout(),
		MessageRetention:  messageRetention,
		DLQRetention:      dlqRetention,
		MaxReceiveCount:   maxReceiveCount,
		BatchSize:         a.BatchSize,
		BatchWindow:       a.BatchWindow,
		Reply:             a.Reply,
		Sender:            a.Reply == "sender",
		Broadcast:         a.Reply == "broadcast",
		NoReply:           a.Reply == "none",
		Ack:               a.Ack,
		IAMAuth:           a.Auth == "iam",
		IaC:               a.IaC,
		IaCHCL:            a.IaC == "terraform" || a.IaC == "opentofu",
		IaCOpenTofu:       a.IaC == "opentofu",
		IaCSAM:            a.IaC == "sam",
		TFCLI:             map[string]string{"terraform": "terraform", "opentofu": "tofu"}[a.IaC],
		Arch:              a.Arch,
		GOARCH:            map[string]string{"arm64": "arm64", "x86_64": "amd64"}[a.Arch],
		Timeout:           a.Timeout,
		Memory:            a.Memory,
		LogRetention:      logRetentionDays,
		Runtime:           "provided.al2023",
		StageName:         stageName,
		ThrottleBurst:     throttleBurst,
		ThrottleRate:      throttleRate,

		RequestTemplatePath: "api/sqs-request.vtl",
		RequestModelPath:    "api/request-model.json",
		AckTemplatePath:     "api/ack-response.vtl",
		ErrorTemplatePath:   "api/error-response.vtl",
		FunctionZipPath:     "build/function.zip",

		ConnectTemplatePath:    "api/connect-request.vtl",
		DisconnectTemplatePath: "api/disconnect-request.vtl",
		ConnectionTTL:          connectionTTL,
		ConnectionTTLAttribute: connectionTTLAttribute,

		DefaultRegion:        defaultRegion,
		IntegrationTimeoutMs: integrationTimeoutMs,
		OldestMessageAlarm:   oldestMessageAlarm,
		ExecutionLogLevel:    executionLogLevel,

		Command: strings.Join(append([]string{"wsqgen", "new", a.Name}, a.Flags()...), " "),
	}
	if fifo {
		v.QueueSuffix = ".fifo"
		v.GroupBy = a.GroupBy
		v.GroupByConnection = a.GroupBy == "connection"
		v.GroupByField = a.GroupBy == "field"
		v.GroupByConstant = a.GroupBy == "constant"
		v.ConstantGroupID = constantGroupID
		v.ContentDedup = a.Dedup == "content"
		v.RequestDedup = a.Dedup == "request"
	}
	if !v.NoReply {
		v.ManageConnections = []string{"POST"}
	}
	return v
}
