# A small valid root module: check.sh must pass it (fmt, init, validate, test, tfsec).
terraform {
  required_version = ">= 1.6"

  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "~> 6.0"
    }
  }
}

provider "aws" {
  region = var.region

  default_tags {
    tags = {
      ManagedBy = "terraform"
    }
  }
}

variable "region" {
  type    = string
  default = "eu-west-1"
}

variable "batch_size" {
  type    = number
  default = 10
}

data "aws_partition" "current" {}

data "aws_caller_identity" "current" {}

resource "aws_sqs_queue" "dlq" {
  name                    = "tfcheck-valid-dlq.fifo"
  fifo_queue              = true
  sqs_managed_sse_enabled = true
}

resource "aws_sqs_queue" "main" {
  name                        = "tfcheck-valid.fifo"
  fifo_queue                  = true
  content_based_deduplication = true
  visibility_timeout_seconds  = 60
  sqs_managed_sse_enabled     = true

  redrive_policy = jsonencode({
    deadLetterTargetArn = aws_sqs_queue.dlq.arn
    maxReceiveCount     = 5
  })
}

data "aws_iam_policy_document" "assume" {
  statement {
    actions = ["sts:AssumeRole"]

    principals {
      type        = "Service"
      identifiers = ["lambda.${data.aws_partition.current.dns_suffix}"]
    }
  }
}

resource "aws_iam_role" "fn" {
  name               = "tfcheck-valid"
  assume_role_policy = data.aws_iam_policy_document.assume.json
}

resource "aws_lambda_event_source_mapping" "main" {
  event_source_arn        = aws_sqs_queue.main.arn
  function_name           = "arn:${data.aws_partition.current.partition}:lambda:${var.region}:${data.aws_caller_identity.current.account_id}:function:tfcheck"
  batch_size              = var.batch_size
  function_response_types = ["ReportBatchItemFailures"]

  scaling_config {
    maximum_concurrency = 2
  }
}

output "queue_arn" {
  value = aws_sqs_queue.main.arn
}
