package main

import (
	"fmt"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/wsqgen/wsqgen/generator"
)

// addAnswerFlags declares the flag of every answer on cmd, bound to a. new
// and upgrade share them, so an answer is spelled the same everywhere.
func addAnswerFlags(cmd *cobra.Command, a *generator.Answers) {
	f := cmd.Flags()
	d := generator.Defaults("")
	f.StringVar(&a.Module, "module", "", "Go module path of the project (default example.com/NAME)")
	f.StringVar(&a.Queue, "queue", d.Queue, "queue type: "+strings.Join(generator.Queues, " | "))
	f.StringVar(&a.GroupBy, "group-by", d.GroupBy, "FIFO message group: connection (per-client order) | field (client sends MessageGroupId) | constant (one global order)")
	f.StringVar(&a.Dedup, "dedup", d.Dedup, "FIFO deduplication: request (API request id) | content (hash of the body)")
	f.IntVar(&a.BatchSize, "batch-size", d.BatchSize, fmt.Sprintf("messages per Lambda invocation (FIFO 1–%d, standard 1–%d)", generator.MaxBatchFIFO, generator.MaxBatchStandard))
	f.IntVar(&a.BatchWindow, "batch-window", d.BatchWindow, fmt.Sprintf("seconds to gather a batch, standard queues only (0–%d; at least 1 when --batch-size > 10)", generator.MaxBatchWindow))
	f.StringVar(&a.IaC, "iac", d.IaC, "infrastructure as code tool: "+strings.Join(generator.IaCs, " | "))
	f.StringVar(&a.Reply, "reply", d.Reply, "reply behaviour: sender (reply to the sending connection) | broadcast (to every open connection) | none")
	f.BoolVar(&a.Ack, "ack", d.Ack, "answer every message at once with its SQS message id (or an error frame)")
	f.StringVar(&a.Auth, "auth", d.Auth, "authorization on $connect: none | iam")
	f.StringVar(&a.Arch, "arch", d.Arch, "Lambda architecture: "+strings.Join(generator.Arches, " | "))
	f.IntVar(&a.Timeout, "timeout", d.Timeout, "function timeout in seconds (the queue's visibility timeout is derived: 6 × timeout + batch window)")
	f.IntVar(&a.Memory, "memory", d.Memory, "function memory in MB")
	for name, values := range map[string][]string{
		"queue": generator.Queues, "group-by": generator.GroupBys, "dedup": generator.Dedups,
		"iac": generator.IaCs, "reply": generator.Replies, "auth": generator.Auths, "arch": generator.Arches,
	} {
		_ = cmd.RegisterFlagCompletionFunc(name, enumCompletion(values))
	}
}

func enumCompletion(values []string) cobra.CompletionFunc {
	return func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
		return values, cobra.ShellCompDirectiveNoFileComp
	}
}

// applyAnswerFlags copies the answers whose flags were set on the command
// line from the flag values into dst and returns their answers-file keys.
func applyAnswerFlags(cmd *cobra.Command, dst, flags *generator.Answers) map[string]bool {
	keys := map[string]string{}
	for _, f := range generator.Fields {
		if f.Flag != "" {
			keys[f.Flag] = f.Key
		}
	}
	given := map[string]bool{}
	cmd.Flags().Visit(func(f *pflag.Flag) {
		if key, ok := keys[f.Name]; ok {
			given[key] = true
			copyFlag(dst, flags, key)
		}
	})
	return given
}

// copyFlag copies one answer, named by its answers-file key, from the flag
// values into the layered answers.
func copyFlag(dst, src *generator.Answers, key string) {
	switch key {
	case "module":
		dst.Module = src.Module
	case "queue":
		dst.Queue = src.Queue
	case "group_by":
		dst.GroupBy = src.GroupBy
	case "dedup":
		dst.Dedup = src.Dedup
	case "batch_size":
		dst.BatchSize = src.BatchSize
	case "batch_window":
		dst.BatchWindow = src.BatchWindow
	case "iac":
		dst.IaC = src.IaC
	case "reply":
		dst.Reply = src.Reply
	case "ack":
		dst.Ack = src.Ack
	case "auth":
		dst.Auth = src.Auth
	case "arch":
		dst.Arch = src.Arch
	case "timeout":
		dst.Timeout = src.Timeout
	case "memory":
		dst.Memory = src.Memory
	}
}
