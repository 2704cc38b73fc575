# Broken on purpose: arn is computed by the provider and cannot be set.
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
  sqs_managed_sse_enabled = true
  arn                     = "arn:aws:sqs:eu-west-1:123456789012:tfcheck-broken"
}
