// SPDX-License-Identifier: MIT
// Harness contracts for tests/evm/differential.mjs: OpenZeppelin Contracts 4.9 tokens with public
// mint helpers, so the test can drive them the way atelier's ledger is driven. Every rule that
// decides whether a call reverts, and with which reason, is OpenZeppelin's own code; these
// contracts only expose the internal _mint and _setDefaultRoyalty.
pragma solidity 0.8.26;

import {ERC721} from "@openzeppelin/contracts/token/ERC721/ERC721.sol";
import {ERC721Burnable} from "@openzeppelin/contracts/token/ERC721/extensions/ERC721Burnable.sol";
import {ERC1155} from "@openzeppelin/contracts/token/ERC1155/ERC1155.sol";
import {ERC1155Burnable} from "@openzeppelin/contracts/token/ERC1155/extensions/ERC1155Burnable.sol";
import {ERC2981} from "@openzeppelin/contracts/token/common/ERC2981.sol";

/// An ERC-721 collection with EIP-2981 royalties: transferFrom, safeTransferFrom, approve,
/// setApprovalForAll and burn (ERC721Burnable) are OpenZeppelin's, unchanged.
contract AtelierERC721 is ERC721Burnable, ERC2981 {
    constructor() ERC721("atelier differential", "ATLD") {}

    /// _mint: "ERC721: mint to the zero address", "ERC721: token already minted".
    function mint(address to, uint256 tokenId) external {
        _mint(to, tokenId);
    }

    /// _setDefaultRoyalty: "ERC2981: royalty fee will exceed salePrice", "ERC2981: invalid receiver".
    function setDefaultRoyalty(address receiver, uint96 feeNumerator) external {
        _setDefaultRoyalty(receiver, feeNumerator);
    }

    function supportsInterface(bytes4 interfaceId) public view override(ERC721, ERC2981) returns (bool) {
        return super.supportsInterface(interfaceId);
    }
}

/// An ERC-1155 collection: safeTransferFrom, setApprovalForAll and burn (ERC1155Burnable) are
/// OpenZeppelin's, unchanged.
contract AtelierERC1155 is ERC1155Burnable {
    constructor() ERC1155("") {}

    /// _mint: "ERC1155: mint to the zero address".
    function mint(address to, uint256 id, uint256 amount) external {
        _mint(to, id, amount, "");
    }
}
