package main

import (
	"errors"
	"fmt"
	"strconv"

	"github.com/charmbracelet/huh"

	"github.com/wsqgen/wsqgen/generator"
)

// problemFor runs the one Validate over the answers with one answer replaced
// and returns what it says about that answer alone, so that the form checks
// each field by exactly the rules flags and answers files obey.
func problemFor(a generator.Answers, key string) error {
	err := a.Validate()
	var ps generator.Problems
	if !errors.As(err, &ps) {
		return nil
	}
	for _, p := range ps {
		if p.Field.Key == key {
			return errors.New(p.Msg + ": " + p.Fix)
		}
	}
	return nil
}

// askNew asks, in a huh form, for every answer that flags and the answers
// file did not give. Only called when stdin and stdout are terminals.
func askNew(s streams, a *generator.Answers, given map[string]bool) error {
	batch := strconv.Itoa(a.BatchSize)
	window := strconv.Itoa(a.BatchWindow)
	timeout := strconv.Itoa(a.Timeout)
	memory := strconv.Itoa(a.Memory)
	advanced := false
	if !given["module"] {
		a.Module = ""
	}

	// intField validates a numeric input against the answers as they stand.
	intField := func(key string, dst *int) func(string) error {
		return func(v string) error {
			n, err := strconv.Atoi(v)
			if err != nil {
				return fmt.Errorf("%q is not a whole number", v)
			}
			c := *a
			switch key {
			case "batch_size":
				c.BatchSize = n
			case "batch_window":
				c.BatchWindow = n
			case "timeout":
				c.Timeout = n
			case "memory":
				c.Memory = n
			}
			c.Complete(given)
			if err := problemFor(c, key); err != nil {
				return err
			}
			*dst = n
			return nil
		}
	}

	var groups []*huh.Group
	if !given["name"] {
		groups = append(groups, huh.NewGroup(huh.NewInput().Title("Project name").
			Description("Directory and prefix of every AWS resource name.").
			Value(&a.Name).Validate(func(v string) error {
			c := *a
			c.Name = v
			return problemFor(c, "name")
		})))
	}
	if !given["queue"] {
		groups = append(groups, huh.NewGroup(huh.NewSelect[string]().Title("Queue type").Value(&a.Queue).Options(
			huh.NewOption("FIFO: ordered per message group, deduplicated, up to 10 per batch", "fifo"),
			huh.NewOption("Standard: at-least-once, unordered, batches up to 10,000", "standard"),
		)))
	}
	// Later questions depend on the queue type. Separate forms, rather than
	// groups hidden by a function, keep huh's accessible mode (which asks
	// every group it is given) asking only what applies.
	if err := runForm(s, groups...); err != nil {
		return err
	}
	groups = nil
	fifo := a.Queue == "fifo"
	if fifo && (!given["group_by"] || !given["dedup"]) {
		groups = append(groups, huh.NewGroup(
			huh.NewSelect[string]().Title("Message group (FIFO order)").Value(&a.GroupBy).Options(
				huh.NewOption("Per connection: each client's messages in order (server-derived)", "connection"),
				huh.NewOption("Client field: clients send MessageGroupId, validated at the edge", "field"),
				huh.NewOption("Constant: one global order (lowest throughput)", "constant"),
			),
			huh.NewSelect[string]().Title("Deduplication").Value(&a.Dedup).Options(
				huh.NewOption("API request id: every frame is a new message", "request"),
				huh.NewOption("Content: identical bodies within 5 minutes are dropped", "content"),
			),
		))
	}
	if !given["batch_size"] {
		desc := fmt.Sprintf("Messages per invocation: 1–%d on standard queues (over 10 needs a batching window).", generator.MaxBatchStandard)
		if fifo {
			desc = fmt.Sprintf("Messages per invocation: 1–%d on FIFO queues.", generator.MaxBatchFIFO)
		}
		groups = append(groups, huh.NewGroup(huh.NewInput().Title("Batch size").Description(desc).
			Value(&batch).Validate(intField("batch_size", &a.BatchSize))))
	}
	if !fifo && !given["batch_window"] {
		groups = append(groups, huh.NewGroup(huh.NewInput().Title("Batching window (seconds)").
			Description(fmt.Sprintf("How long the poller gathers a batch: 0–%d.", generator.MaxBatchWindow)).
			Value(&window).Validate(intField("batch_window", &a.BatchWindow))))
	}
	if !given["iac"] || !given["reply"] {
		groups = append(groups, huh.NewGroup(
			huh.NewSelect[string]().Title("Infrastructure as code").Value(&a.IaC).Options(
				huh.NewOption("Terraform: HCL with the hashicorp/aws provider; pick it if your team already runs Terraform", "terraform"),
				huh.NewOption("OpenTofu: the same HCL with the open-source tofu CLI; pick it to avoid the BSL licence", "opentofu"),
				huh.NewOption("AWS SAM: one CloudFormation template; pick it for stacks managed by CloudFormation", "sam"),
				huh.NewOption("AWS CDK (Go): a Go app that synthesizes the CloudFormation stack; pick it to keep infrastructure in Go", "cdk"),
			),
			huh.NewSelect[string]().Title("Reply").Value(&a.Reply).Options(
				huh.NewOption("Sender: reply to the connection that sent the message", "sender"),
				huh.NewOption("Broadcast: send to every open connection (DynamoDB registry)", "broadcast"),
				huh.NewOption("None: process only, no reply", "none"),
			),
		))
	}
	groups = append(groups,
		huh.NewGroup(huh.NewConfirm().Title("Change advanced settings?").
			Description("Acks, $connect auth, architecture, timeout, memory, Go module path.").Value(&advanced)))
	if err := runForm(s, groups...); err != nil {
		return err
	}
	if advanced {
		err := runForm(s, huh.NewGroup(
			huh.NewConfirm().Title("Acknowledge every message with its SQS message id?").Value(&a.Ack),
			huh.NewSelect[string]().Title("Authorization on $connect").Value(&a.Auth).Options(
				huh.NewOption("None: anyone with the URL may connect (development only)", "none"),
				huh.NewOption("IAM: clients sign the connect request with SigV4", "iam"),
			),
			huh.NewSelect[string]().Title("Architecture").Value(&a.Arch).Options(
				huh.NewOption("arm64 (Graviton): cheaper per ms", "arm64"),
				huh.NewOption("x86_64", "x86_64"),
			),
			huh.NewInput().Title("Function timeout (seconds)").Value(&timeout).Validate(intField("timeout", &a.Timeout)),
			huh.NewInput().Title("Function memory (MB)").Value(&memory).Validate(intField("memory", &a.Memory)),
			huh.NewInput().Title("Go module path").PlaceholderFunc(func() string { return generator.DefaultModule(a.Name) }, &a.Name).
				Value(&a.Module),
		))
		if err != nil {
			return err
		}
	}
	for _, k := range []string{"name", "queue", "group_by", "dedup", "batch_size", "iac", "reply"} {
		given[k] = true
	}
	if !fifo {
		given["batch_window"] = true
		delete(given, "group_by")
		delete(given, "dedup")
	}
	// An empty module path means "derived from the name": Complete fills it.
	given["module"] = a.Module != ""
	return nil
}

func runForm(s streams, groups ...*huh.Group) error {
	if len(groups) == 0 {
		return nil
	}
	err := huh.NewForm(groups...).
		WithAccessible(s.Getenv("ACCESSIBLE") != "").
		WithInput(s.In).WithOutput(s.Out).
		Run()
	if errors.Is(err, huh.ErrUserAborted) {
		return errors.New("cancelled: nothing was written")
	}
	return err
}
