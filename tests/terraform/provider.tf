# The provider block every case runs with: run.sh copies this file next to each step's
# config. Only ElastiCache is redirected (to keyfleet); the skips keep the provider from
# calling STS, IAM or the instance metadata service, and a small max_retries makes a 5xx
# fail the step in seconds instead of backing off for minutes (the SDK default is 25).
terraform {
  required_providers {
    aws = {
      source = "hashicorp/aws"
    }
  }
}

variable "endpoint" {
  type        = string
  description = "keyfleet's ElastiCache endpoint; run.sh sets it through TF_VAR_endpoint."
}

provider "aws" {
  region     = "us-east-1"
  access_key = "test"
  secret_key = "test"

  skip_credentials_validation = true
  skip_requesting_account_id  = true
  skip_metadata_api_check     = true
  skip_region_validation      = true
  max_retries                 = 2

  endpoints {
    elasticache = var.endpoint
  }
}
