package generator

import (
	"encoding/json"
	"fmt"
	"strings"
)

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
	IaCCDK      bool   // AWS CDK in Go: the app in cdk/, a Go module of its own
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

	// LogRetentionChoices are the retention periods (days) CloudWatch Logs
	// accepts; the SAM template offers them as the parameter's AllowedValues.
	LogRetentionChoices []int
	// AccessLogFormat is the stage's access log format: one JSON object per
	// connect, message and disconnect, encoded as Terraform's jsonencode
	// writes it, so every IaC tool configures the same text.
	// No query strings, headers or bodies: they may carry tokens or
	// personal data.
	AccessLogFormat string
	// AccessLogFields are the fields of that format by name; the CDK app
	// encodes them itself (encoding/json gives the same text).
	AccessLogFields map[string]string

	// Settings names the deploy-time settings (Terraform variables, SAM
	// template parameters or CDK context values) in the chosen tool's
	// spelling, so that the README's tool-neutral sections need no per-tool
	// branches.
	Settings Settings
	// Shell commands that print an output of the deployed stack (the
	// wss:// URL, the dead-letter queue URL), for the README.
	WebSocketURLCommand string
	DLQURLCommand       string

	// APIFiles holds the rendered text of the files under api/, by base
	// name, for templates that must inline them (CloudFormation has no
	// file()). Filled in by Render before the other files are rendered.
	APIFiles map[string]string

	// Command is the non-interactive wsqgen command that renders the same
	// project again; the README shows it so a project documents its answers.
	Command string
}

// Settings are the names of the deploy-time settings of the infrastructure
// code: Terraform variables for terraform/opentofu, template parameters for
// SAM, context values for CDK. All start from the same defaults (see View).
type Settings struct {
	Kind                    string // what a setting is called: "variable", "parameter" or "context value"
	Name                    string // resource name prefix
	StageName               string
	LogRetention            string
	ThrottleBurst           string
	ThrottleRate            string
	ExecutionLogLevel       string
	ManageAPIGatewayAccount string
	AlarmTopic              string
	OldestMessageAlarm      string
}

var (
	hclSettings = Settings{
		Kind: "variable", Name: "name", StageName: "stage_name", LogRetention: "log_retention_days",
		ThrottleBurst: "throttle_burst_limit", ThrottleRate: "throttle_rate_limit",
		ExecutionLogLevel: "execution_logging_level", ManageAPIGatewayAccount: "manage_api_gateway_account",
		AlarmTopic: "alarm_sns_topic_arn", OldestMessageAlarm: "oldest_message_alarm_seconds",
	}
	samSettings = Settings{
		Kind: "parameter", Name: "Name", StageName: "StageName", LogRetention: "LogRetentionDays",
		ThrottleBurst: "ThrottleBurstLimit", ThrottleRate: "ThrottleRateLimit",
		ExecutionLogLevel: "ExecutionLoggingLevel", ManageAPIGatewayAccount: "ManageApiGatewayAccount",
		AlarmTopic: "AlarmSnsTopicArn", OldestMessageAlarm: "OldestMessageAlarmSeconds",
	}
	// CDK context keys (cdk deploy -c key=value, or cdk.json's "context").
	cdkSettings = Settings{
		Kind: "context value", Name: "name", StageName: "stageName", LogRetention: "logRetentionDays",
		ThrottleBurst: "throttleBurstLimit", ThrottleRate: "throttleRateLimit",
		ExecutionLogLevel: "executionLoggingLevel", ManageAPIGatewayAccount: "manageApiGatewayAccount",
		AlarmTopic: "alarmSnsTopicArn", OldestMessageAlarm: "oldestMessageAlarmSeconds",
	}
)

// outputCommand is the shell command printing one output of the deployed
// stack: the HCL output name, or the CloudFormation output key.
func outputCommand(v View, hclOutput, cfnOutput string) string {
	if v.IaCSAM || v.IaCCDK {
		return "aws cloudformation describe-stacks --stack-name " + v.Name +
			" --query \"Stacks[0].Outputs[?OutputKey=='" + cfnOutput + "'].OutputValue\" --output text"
	}
	return v.TFCLI + " -chdir=terraform output -raw " + hclOutput
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

// logRetentionChoices are the values CloudWatch Logs accepts for a log
// group's retention in days.
var logRetentionChoices = []int{1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653}

// accessLogFields are the API Gateway context variables of the access log.
var accessLogFields = map[string]string{
	"requestId":               "$context.requestId",
	"requestTimeEpoch":        "$context.requestTimeEpoch",
	"connectionId":            "$context.connectionId",
	"eventType":               "$context.eventType",
	"routeKey":                "$context.routeKey",
	"messageId":               "$context.messageId",
	"status":                  "$context.status",
	"sourceIp":                "$context.identity.sourceIp",
	"errorMessage":            "$context.error.message",
	"errorResponseType":       "$context.error.responseType",
	"integrationStatus":       "$context.integration.status",
	"integrationError":        "$context.integration.error",
	"integrationErrorMessage": "$context.integrationErrorMessage",
	"integrationLatency":      "$context.integration.latency",
}

// accessLogFormat encodes accessLogFields as Terraform's jsonencode does
// (encoding/json: keys sorted, no spaces, <, > and & escaped).
func accessLogFormat() string {
	b, err := json.Marshal(accessLogFields)
	if err != nil {
		panic(err) // a map of strings always encodes
	}
	return string(b)
}

// Quote returns s as a YAML double-quoted scalar: JSON string syntax (valid
// YAML) without sprig toJson's HTML escaping, so that an inlined request
// template keeps its "&" readable instead of "\u0026".
func (View) Quote(s string) string {
	var b strings.Builder
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(s); err != nil {
		panic(err) // a string always encodes
	}
	return strings.TrimSuffix(b.String(), "\n")
}

// Inline returns the rendered text of the api/ file with the given base name
// without its trailing newlines, exactly as Terraform's chomp(file(...))
// reads it, for templates that must inline it (CloudFormation has no
// file()). Render fills APIFiles before any template calls this.
func (v View) Inline(name string) (string, error) {
	text, ok := v.APIFiles[name]
	if !ok {
		return "", fmt.Errorf("api/%s is not rendered for these answers", name)
	}
	return strings.TrimRight(text, "\r\n"), nil
}

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
		IaCCDK:            a.IaC == "cdk",
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
		LogRetentionChoices:  logRetentionChoices,
		AccessLogFormat:      accessLogFormat(),
		AccessLogFields:      accessLogFields,

		// The main answers are spelled out, so the command runs in a script
		// without a terminal and without --yes.
		Command: strings.Join(append([]string{"wsqgen", "new", a.Name}, a.Flags(MainFlags()...)...), " "),
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
	switch {
	case v.IaCSAM:
		v.Settings = samSettings
	case v.IaCCDK:
		v.Settings = cdkSettings
	default:
		v.Settings = hclSettings
	}
	v.WebSocketURLCommand = outputCommand(v, "websocket_url", "WebSocketUrl")
	v.DLQURLCommand = outputCommand(v, "dlq_url", "DlqUrl")
	return v
}
