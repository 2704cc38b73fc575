# Broken on purpose: the queue is not encrypted (tfsec aws-sqs-enable-queue-encryption).
terraform {
  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "~> 6.0"
    }
  }
}

provider "aws" {
  region = "eu-west-1"
}

resource "aws_sqs_queue" "main" {
  name                    = "tfcheck-broken"
  sqs_managed_sse_enabled = false
}
